package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.trainer.config.AlphaRlConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every prediction the offline sweep scores from one window (ALPHARL.md §11), each under a label:
 * <ul>
 *   <li>{@code alpharl ASSEMBLY y=Y h=H}: AlphaRL with assembly replace or add, y = rollout reward or held-out
 *       accuracy, y* extrapolated in the step to the horizon's step T' and capped at 1;</li>
 *   <li>{@code alpharl ASSEMBLY y=accuracy y*=final}: the oracle inversion, y* = the full run's final accuracy;</li>
 *   <li>{@code relex SET h=H} and {@code raw SET h=H}: RELEX and the raw extrapolation W_0 + (T'/k)·ΔW_k on the
 *       same tensor set, {@code all} tensors or the tracked {@code matrices} (the others keep W_k).</li>
 * </ul>
 * T' = round(k + h·(T − k)). Each prediction's arrays live only during its {@link Scorer} call.
 */
public final class WindowPredictions {

    /** Label of the variant the trainer's defaults predict (assembly replace, y = reward): the validated choice's. */
    public static final String DEFAULT_ALPHARL = "alpharl replace y=reward";

    /** Label prefix of RELEX on all tensors, as the trainer's hook runs it. */
    public static final String DEFAULT_RELEX = "relex all";

    /**
     * One window of a run.
     *
     * @param snapshots     AlphaRL snapshots up to k, each with its mean reward and, where measured, its accuracy
     * @param trajectory    RELEX's trajectory over the same steps
     * @param w0            the base weights
     * @param wk            the weights at the window's end k
     * @param matrices      the tracked matrices
     * @param target        T, the full run's last step
     * @param finalAccuracy the full run's final accuracy (the oracle y*)
     */
    public record Window(
            List<Snapshot> snapshots,
            RelexTrajectory trajectory,
            Map<String, NDArray> w0,
            Map<String, NDArray> wk,
            List<String> matrices,
            long target,
            double finalAccuracy) {
        long k() {
            return snapshots.get(snapshots.size() - 1).step();
        }
    }

    /** Receives each prediction; the arrays are closed when it returns. */
    public interface Scorer {
        void score(String label, Map<String, NDArray> weights) throws IOException;
    }

    private WindowPredictions() {}

    /** Builds and hands over every prediction of {@code window} at {@code horizons}, in a fixed order. */
    public static void each(Window window, double[] horizons, Scorer scorer, NDManager root) throws IOException {
        long k = window.k();
        boolean accuracy = window.snapshots().stream().allMatch(s -> s.evalAccuracy() != null);
        List<Snapshot> byReward = withoutAccuracy(window.snapshots());
        Set<String> matrices = Set.copyOf(window.matrices());
        for (double h : horizons) {
            long t = AlphaRlConfig.horizonStep((int) k, window.target(), h);
            String at = String.format(Locale.ROOT, " h=%.2f", h);
            for (AlphaRlConfig.Assembly assembly :
                    List.of(AlphaRlConfig.Assembly.REPLACE, AlphaRlConfig.Assembly.ADD)) {
                String name = "alpharl " + assembly.name().toLowerCase(Locale.ROOT);
                alphaRl(
                        name + " y=reward" + at,
                        byReward,
                        new AlphaRlJump.Target(null, t, 1.0),
                        assembly,
                        window,
                        scorer,
                        root);
                if (accuracy) {
                    alphaRl(
                            name + " y=accuracy" + at,
                            window.snapshots(),
                            new AlphaRlJump.Target(null, t, 1.0),
                            assembly,
                            window,
                            scorer,
                            root);
                }
            }
            for (boolean all : new boolean[] {true, false}) {
                String set = all ? "all" : "matrices";
                try (NDManager scope = root.newSubManager()) {
                    scorer.score(
                            "relex " + set + at,
                            RelexPredictor.predict(
                                            window.trajectory(), t, name -> all || matrices.contains(name), scope)
                                    .weights());
                }
                try (NDManager scope = root.newSubManager()) {
                    scorer.score(
                            "raw " + set + at,
                            raw(
                                    window.w0(),
                                    window.wk(),
                                    name -> all || matrices.contains(name),
                                    (double) t / k,
                                    scope));
                }
            }
        }
        if (accuracy) {
            for (AlphaRlConfig.Assembly assembly :
                    List.of(AlphaRlConfig.Assembly.REPLACE, AlphaRlConfig.Assembly.ADD)) {
                alphaRl(
                        "alpharl " + assembly.name().toLowerCase(Locale.ROOT) + " y=accuracy y*=final",
                        window.snapshots(),
                        new AlphaRlJump.Target(window.finalAccuracy(), null, 1.0),
                        assembly,
                        window,
                        scorer,
                        root);
            }
        }
    }

    private static void alphaRl(
            String label,
            List<Snapshot> snapshots,
            AlphaRlJump.Target target,
            AlphaRlConfig.Assembly assembly,
            Window window,
            Scorer scorer,
            NDManager root)
            throws IOException {
        try (NDManager scope = root.newSubManager()) {
            scorer.score(
                    label,
                    AlphaRlJump.predict(snapshots, target, assembly, window.w0(), window.wk(), scope)
                            .prediction()
                            .weights());
        }
    }

    /** The same snapshots with no accuracy, so that AlphaRL's y is their mean rollout reward. */
    static List<Snapshot> withoutAccuracy(List<Snapshot> snapshots) {
        return snapshots.stream()
                .map(s -> new Snapshot(s.step(), s.meanReward(), null, s.matrices()))
                .toList();
    }

    /**
     * The raw linear extrapolation of the tensors {@code extrapolated} accepts, θ_0 + g·(θ_k − θ_0) with g = T'/k;
     * the others keep θ_k. New arrays on {@code out}.
     */
    static Map<String, NDArray> raw(
            Map<String, NDArray> w0,
            Map<String, NDArray> wk,
            java.util.function.Predicate<String> extrapolated,
            double g,
            NDManager out) {
        Map<String, NDArray> result = new LinkedHashMap<>();
        wk.forEach((name, w) -> {
            NDArray r;
            if (extrapolated.test(name)) {
                try (NDManager scope = out.newSubManager()) {
                    NDArray base = w0.get(name);
                    NDArray delta = w.sub(base);
                    delta.attach(scope);
                    NDArray scaled = delta.mul(Constant.like(delta, g));
                    scaled.attach(scope);
                    r = base.add(scaled);
                    r.attach(out);
                }
            } else {
                r = w.duplicate();
                r.attach(out);
            }
            result.put(name, r);
        });
        return result;
    }
}
