package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.model.LoraAdapters;
import dev.alpharl.trainer.model.QwenConfig;
import java.util.List;
import java.util.Map;

/**
 * The AlphaRL jump (ALPHARL.md §6), one sequence shared by the training callback ({@link AlphaRlHook}),
 * {@code alpharl predict} and the offline sweep: choose y* — given, or the snapshots' y extrapolated linearly in the
 * step to the target step and capped — then fit each matrix's rank-1 trajectory against y and assemble the
 * prediction on W_k ({@code replace}, {@code add}) or on W_0 ({@code base}).
 */
public final class AlphaRlJump {

    private AlphaRlJump() {}

    /**
     * Where to jump.
     *
     * @param reward    y*, when given (then {@code step} may be null)
     * @param step      the step whose reward is extrapolated when y* is not given
     * @param rewardCap the largest y* an extrapolation may give (a reward's maximum)
     */
    public record Target(Double reward, Long step, double rewardCap) {
        public Target {
            if (reward == null && step == null) {
                throw new IllegalArgumentException("an AlphaRL target needs a reward or a step");
            }
        }
    }

    /**
     * @param prediction   the predicted weights and the fit report
     * @param targetReward the y* used
     * @param extrapolated whether y* was extrapolated (else given)
     */
    public record Result(AlphaRlPredictor.Prediction prediction, double targetReward, boolean extrapolated) {}

    /**
     * The prediction from {@code snapshots}; {@code w0} is needed only by the {@code base} assembly (may be empty
     * otherwise), {@code wk} is the window's last weights. Arrays are created on {@code out}.
     */
    public static Result predict(
            List<Snapshot> snapshots,
            Target target,
            AlphaRlConfig.Assembly assembly,
            Map<String, NDArray> w0,
            Map<String, NDArray> wk,
            NDManager out) {
        double targetReward = targetReward(snapshots, target);
        AlphaRlPredictor.Prediction p = AlphaRlPredictor.predict(
                snapshots,
                assembly == AlphaRlConfig.Assembly.BASE ? w0 : Map.of(),
                wk,
                new AlphaRlPredictor.Options(targetReward, assembly),
                out);
        return new Result(p, targetReward, target.reward() == null);
    }

    /** The prediction as an adapter, the window recorded in adapter space; {@code last} is the window's last adapter. */
    public static AdapterResult predictAdapters(
            List<Snapshot> snapshots,
            Target target,
            AlphaRlConfig.Assembly assembly,
            LoraAdapters last,
            QwenConfig config,
            NDManager out) {
        double targetReward = targetReward(snapshots, target);
        AlphaRlPredictor.AdapterPrediction p = AlphaRlPredictor.predictAdapters(
                snapshots, last, config, new AlphaRlPredictor.Options(targetReward, assembly), out);
        return new AdapterResult(p, targetReward, target.reward() == null);
    }

    /** {@link Result} of {@link #predictAdapters}. */
    public record AdapterResult(
            AlphaRlPredictor.AdapterPrediction prediction, double targetReward, boolean extrapolated) {}

    /** y*: the given reward, or the snapshots' y extrapolated linearly in the step to the target step and capped. */
    private static double targetReward(List<Snapshot> snapshots, Target target) {
        return target.reward() != null
                ? target.reward()
                : TargetReward.extrapolated(
                        snapshots.stream().mapToDouble(Snapshot::step).toArray(),
                        AlphaRlPredictor.responses(snapshots),
                        target.step(),
                        target.rewardCap());
    }
}
