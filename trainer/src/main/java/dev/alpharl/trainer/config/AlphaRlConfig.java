package dev.alpharl.trainer.config;

import java.util.List;

/**
 * AlphaRL acceleration (docs/ALPHARL.md): observe the first {@code window} steps, fit the rank-1 trajectory of
 * every weight update, and jump to the predicted weights.
 *
 * @param window        steps observed before the jump (0: AlphaRL off)
 * @param snapshotEvery record a rank-1 snapshot every N steps inside the window
 * @param method        {@code alpharl} (PLS on reward, inverted at target-reward) or {@code relex} (fit over time,
 *                      evaluated at target-step)
 * @param targetStep    step whose weights are predicted (null: trainer.total-steps); for alpharl it also sets the
 *                      default target reward
 * @param targetReward  reward at which the alpharl fit is inverted (null: the window's reward extrapolated linearly
 *                      in the step to target-step, capped at reward-cap)
 * @param rewardCap     the largest reward the task can give (caps the extrapolated target reward)
 * @param assembly      {@code replace}: W_k + (â − a_k)v_kᵀ; {@code add}: W_k + â v_kᵀ; {@code base}: W_0 + â v_kᵀ
 * @param afterJump     stop with the predicted model as final, or continue training from it
 * @param horizons      how far to jump: fractions of the way from the window's end k to the target step T (1.0:
 *                      all the way, the paper's jump); candidate i predicts step k + h_i·(T − k)
 * @param validate      score the window's last weights W_k and every horizon's candidate on data.validation and keep
 *                      the best (W_k when no jump helps); needs data.validation, which must not be the eval set
 */
public record AlphaRlConfig(
        @Default("0") @Range(min = 0) int window,
        @Default("1") @Range(min = 1) int snapshotEvery,
        @Default("alpharl") Method method,
        @Range(min = 1) Integer targetStep,
        Double targetReward,
        @Default("1.0") double rewardCap,
        @Default("replace") Assembly assembly,
        @Default("stop") AfterJump afterJump,
        @Default("1.0") List<Double> horizons,
        @Default("false") boolean validate) {

    public enum Method {
        ALPHARL,
        RELEX
    }

    public enum Assembly {
        REPLACE,
        ADD,
        BASE
    }

    public enum AfterJump {
        STOP,
        CONTINUE
    }

    public AlphaRlConfig {
        if (window > 0) {
            InvalidValue.check(
                    snapshotEvery <= window,
                    "snapshot-every",
                    "must not exceed alpharl.window (" + window + "), got " + snapshotEvery);
        }
        InvalidValue.check(
                targetStep == null || targetStep > window,
                "target-step",
                "must be after alpharl.window (" + window + "), got " + targetStep);
        InvalidValue.check(
                !horizons.isEmpty() && horizons.stream().allMatch(h -> h > 0 && h <= 1),
                "horizons",
                "must be one or more fractions in (0, 1], got " + horizons);
        InvalidValue.check(
                validate || horizons.size() == 1,
                "horizons",
                "has " + horizons.size() + " values; choosing among them needs alpharl.validate: true");
        InvalidValue.check(
                targetReward == null || horizons.equals(List.of(1.0)),
                "horizons",
                "must be [1.0] when alpharl.target-reward is set (the target reward fixes how far to go)");
    }

    /** The step a horizon h predicts: k + h·(T − k), rounded. */
    public static long horizonStep(int window, long targetStep, double horizon) {
        return Math.round(window + horizon * (targetStep - window));
    }

    public boolean enabled() {
        return window > 0;
    }
}
