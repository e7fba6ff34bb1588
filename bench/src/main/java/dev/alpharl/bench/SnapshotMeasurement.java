package dev.alpharl.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.alpharl.trainer.alpharl.MatrixSnapshot;
import dev.alpharl.trainer.alpharl.Snapshot;
import dev.alpharl.trainer.alpharl.SnapshotAccuracy;
import dev.alpharl.trainer.alpharl.TopTriplet;
import dev.alpharl.trainer.tensor.StepScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The AlphaRL part of {@code bench}: snapshots of every projection matrix taken after consecutive train steps
 * ({@code alpharl.snapshot-every: 1}), each recorded twice from the same weights — by the trainer's default
 * {@code Rank1} (block Lanczos, warm-started from the previous snapshot) and by the exact SVD — so that the time of
 * both and the accuracy of the first against the second come from one run (ALPHARL.md §10).
 *
 * @param seconds        median time of the warm snapshots (all but the first), block Lanczos
 * @param coldSeconds    time of the first snapshot, which starts block Lanczos from seeded random vectors
 * @param exactSeconds   median time of a snapshot with the exact SVD for every matrix
 * @param matrices       matrices per snapshot
 * @param meanSteps      block Lanczos steps per matrix in the warm snapshots
 * @param fallbacks      matrix snapshots that fell back to the exact SVD, over all snapshots
 * @param sigma1Error    the largest relative error of σ1 over all matrices and snapshots
 * @param medianSigma1Error the median one
 * @param uOverlap       the smallest |u1·u1*| (u1* of the exact SVD)
 * @param medianUOverlap the median |u1·u1*|
 * @param vOverlap       the smallest |v1·v1*|
 * @param medianVOverlap the median |v1·v1*|
 * @param sigma2Error    the largest relative error of σ2
 * @param medianGapRatio the median exact σ2/σ1
 * @param maxGapRatio    the largest exact σ2/σ1
 * @param fit            the AlphaRL fits from both snapshot series compared, with y = the step number as reward
 *                       (a rising reward) and y* one window beyond the last snapshot
 * @param lastSnapshot   every matrix of the last snapshot
 */
public record SnapshotMeasurement(
        double seconds,
        double coldSeconds,
        double exactSeconds,
        int matrices,
        double meanSteps,
        int fallbacks,
        double sigma1Error,
        double medianSigma1Error,
        double uOverlap,
        double medianUOverlap,
        double vOverlap,
        double medianVOverlap,
        double sigma2Error,
        double medianGapRatio,
        double maxGapRatio,
        SnapshotAccuracy.FitAgreement fit,
        List<SnapshotAccuracy.MatrixAccuracy> lastSnapshot) {

    /** The reward a bench snapshot records: its step, a reward that rises by 1 per step. */
    static double syntheticReward(long step) {
        return step;
    }

    /**
     * @param times        seconds of each block Lanczos snapshot, the first one cold
     * @param exactTimes   seconds of each exact-SVD snapshot
     * @param iterated     the block Lanczos snapshots
     * @param exact        the exact-SVD snapshots of the same weights
     * @param weightNorms  ‖W_k‖_F of each tracked matrix at the last snapshot
     */
    static SnapshotMeasurement of(
            double[] times,
            double[] exactTimes,
            List<Snapshot> iterated,
            List<Snapshot> exact,
            Map<String, Double> weightNorms) {
        if (times.length < 2 || times.length != iterated.size() || exactTimes.length != exact.size()) {
            throw new IllegalArgumentException("need at least two snapshots, each timed, from both recorders");
        }
        double sigma2 = 0;
        int fallbacks = 0;
        List<Double> sigma1Errors = new ArrayList<>();
        List<Double> uOverlaps = new ArrayList<>();
        List<Double> vOverlaps = new ArrayList<>();
        List<Double> gaps = new ArrayList<>();
        List<SnapshotAccuracy.MatrixAccuracy> last = List.of();
        for (int i = 0; i < iterated.size(); i++) {
            last = SnapshotAccuracy.compare(iterated.get(i), exact.get(i));
            for (SnapshotAccuracy.MatrixAccuracy a : last) {
                sigma1Errors.add(a.sigma1Error());
                uOverlaps.add(a.uOverlap());
                vOverlaps.add(a.vOverlap());
                sigma2 = Math.max(sigma2, a.sigma2Error());
                gaps.add(a.exactGapRatio());
                fallbacks += a.method() == TopTriplet.Method.EXACT_FALLBACK ? 1 : 0;
            }
        }
        long warmSteps = 0;
        int warmMatrices = 0;
        for (Snapshot s : iterated.subList(1, iterated.size())) {
            for (MatrixSnapshot m : s.matrices().values()) {
                warmSteps += m.iterations();
                warmMatrices++;
            }
        }
        double[] g = values(gaps);
        double[] sigma1 = values(sigma1Errors);
        double[] u = values(uOverlaps);
        double[] v = values(vOverlaps);
        Snapshot lastExact = exact.get(exact.size() - 1);
        double lastReward = lastExact.meanReward();
        double window = lastReward - exact.get(0).meanReward();
        return new SnapshotMeasurement(
                JvmBench.median(Arrays.copyOfRange(times, 1, times.length)),
                times[0],
                JvmBench.median(exactTimes),
                lastExact.matrices().size(),
                (double) warmSteps / warmMatrices,
                fallbacks,
                Arrays.stream(sigma1).max().orElse(Double.NaN),
                JvmBench.median(sigma1),
                Arrays.stream(u).min().orElse(Double.NaN),
                JvmBench.median(u),
                Arrays.stream(v).min().orElse(Double.NaN),
                JvmBench.median(v),
                sigma2,
                JvmBench.median(g),
                Arrays.stream(g).max().orElse(Double.NaN),
                SnapshotAccuracy.compareFits(iterated, exact, lastReward + window, weightNorms),
                last);
    }

    /** ‖W‖_F of each tracked matrix, in fp64 (the scale of {@link SnapshotAccuracy.FitAgreement#weightError}). */
    static Map<String, Double> weightNorms(Map<String, NDArray> weights, List<String> tracked, NDManager base) {
        Map<String, Double> norms = new LinkedHashMap<>();
        for (String name : tracked) {
            norms.put(
                    name,
                    StepScope.run(
                            base,
                            scope -> Math.sqrt(scope.own(weights.get(name).toType(DataType.FLOAT64, true))
                                    .square()
                                    .sum()
                                    .getDouble())));
        }
        return norms;
    }

    private static double[] values(List<Double> list) {
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
