package dev.alpharl.trainer.alpharl;

import dev.alpharl.trainer.config.AlphaRlConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How far snapshots taken by block Lanczos are from exact-SVD snapshots of the same weights (ALPHARL.md §10): a
 * diagnostic for tests and the bench, which record every step twice (the second time with
 * {@link Rank1.Options#exactOnly}); never part of a training step, where the exact SVD would defeat the purpose.
 */
public final class SnapshotAccuracy {

    private SnapshotAccuracy() {}

    /**
     * One matrix of one snapshot against its exact counterpart (starred).
     *
     * @param sigma1Error   |σ1 − σ1*| / σ1*
     * @param uOverlap      |u1·u1*| of the directions normalised in fp64 (1 is exact; sin∠ = √(1 − overlap²))
     * @param vOverlap      |v1·v1*|, likewise
     * @param sigma2Error   |σ2 − σ2*| / σ2* (σ2 of block Lanczos is the second Ritz value)
     * @param exactGapRatio the exact σ2/σ1, the spectral gap that makes the top triplet hard (near 1) or easy
     */
    public record MatrixAccuracy(
            String name,
            TopTriplet.Method method,
            int iterations,
            double sigma1Error,
            double uOverlap,
            double vOverlap,
            double sigma2Error,
            double exactGapRatio) {}

    /** Every matrix of {@code iterated} against the same matrix of {@code exact} (snapshots of the same weights). */
    public static List<MatrixAccuracy> compare(Snapshot iterated, Snapshot exact) {
        List<MatrixAccuracy> result = new ArrayList<>();
        iterated.matrices().forEach((name, it) -> {
            MatrixSnapshot ex = exact.matrices().get(name);
            if (ex == null) {
                throw new IllegalArgumentException("the exact snapshot lacks matrix '" + name + "'");
            }
            result.add(new MatrixAccuracy(
                    name,
                    it.method(),
                    it.iterations(),
                    relative(it.sigma1(), ex.sigma1()),
                    Vectors.overlap(Vectors.toDoubles(it.a()), Vectors.toDoubles(ex.a())),
                    Vectors.overlap(Vectors.toDoubles(it.v()), Vectors.toDoubles(ex.v())),
                    relative(it.sigma2(), ex.sigma2()),
                    ex.gapRatio()));
        });
        return result;
    }

    /**
     * How much the AlphaRL fit moves when the iterated snapshots replace the exact ones (ALPHARL.md §6, {@code
     * replace} assembly: the prediction of a matrix is W_k + D with D = (â − a_k)·v_kᵀ).
     *
     * @param coefficientError the largest ‖â − s·â*‖ / ‖â*‖ (the fitted rank-1 coefficient; s = ±1 undoes a global
     *                         sign flip of one trajectory, s = sign(v_k·v_k*))
     * @param updateError      the largest ‖D − D*‖_F / ‖D*‖_F (the predicted change of a matrix)
     * @param weightError      the largest ‖D − D*‖_F / ‖W_k‖_F (the predicted weights, relative to their size)
     * @param compared         matrices predicted from both
     * @param decidedOtherwise matrices that one side predicts and the other leaves out (Rank1Quality, guards)
     */
    public record FitAgreement(
            double coefficientError,
            double updateError,
            double weightError,
            int compared,
            List<String> decidedOtherwise) {}

    /**
     * @param weightNorms ‖W_k‖_F of each tracked matrix at the window's last snapshot
     */
    public static FitAgreement compareFits(
            List<Snapshot> iterated, List<Snapshot> exact, double targetReward, Map<String, Double> weightNorms) {
        AlphaRlPredictor.Options options = new AlphaRlPredictor.Options(targetReward, AlphaRlConfig.Assembly.REPLACE);
        Map<String, RankOneUpdate> it = AlphaRlPredictor.fit(iterated, options).updates();
        Map<String, RankOneUpdate> ex = AlphaRlPredictor.fit(exact, options).updates();
        double coefficient = 0;
        double update = 0;
        double weight = 0;
        int compared = 0;
        List<String> otherwise = new ArrayList<>();
        for (String name : exact.get(exact.size() - 1).matrices().keySet()) {
            RankOneUpdate a = it.get(name);
            RankOneUpdate b = ex.get(name);
            if (a == null || b == null) {
                if (a != b) {
                    otherwise.add(name);
                }
                continue;
            }
            compared++;
            // each trajectory fixes its global sign at its first snapshot: compare â with ±â* on the same footing
            double sign = Vectors.dot(a.lastV(), b.lastV()) < 0 ? -1 : 1;
            coefficient = Math.max(
                    coefficient,
                    Vectors.norm(Vectors.difference(a.predicted(), Vectors.scaled(b.predicted(), sign)))
                            / Vectors.norm(b.predicted()));
            double[] ca = Vectors.difference(a.predicted(), a.lastA());
            double[] cb = Vectors.difference(b.predicted(), b.lastA());
            double d = outerDistance(ca, a.lastV(), cb, b.lastV());
            update = Math.max(update, d / (Vectors.norm(cb) * Vectors.norm(b.lastV())));
            weight = Math.max(weight, d / weightNorms.get(name));
        }
        return new FitAgreement(coefficient, update, weight, compared, otherwise);
    }

    /** ‖a·bᵀ − c·dᵀ‖_F from ‖a bᵀ‖² + ‖c dᵀ‖² − 2 (a·c)(b·d), without forming the matrices. */
    static double outerDistance(double[] a, double[] b, double[] c, double[] d) {
        double aa = Vectors.dot(a, a) * Vectors.dot(b, b);
        double cc = Vectors.dot(c, c) * Vectors.dot(d, d);
        double ac = Vectors.dot(a, c) * Vectors.dot(b, d);
        return Math.sqrt(Math.max(0, aa + cc - 2 * ac));
    }

    private static double relative(double value, double reference) {
        return reference == 0 ? Math.abs(value) : Math.abs(value - reference) / Math.abs(reference);
    }
}
