package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Block Lanczos snapshots against exact-SVD snapshots of the same planted trajectory. */
class SnapshotAccuracyTest {

    private static final int STEPS = 10;

    private NDManager m;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /**
     * W_t = W_0 + Σ_k c_k·t·x_k y_kᵀ + Σ_{s ≤ t} N_s for a few matrices: four growing rank-1 directions with
     * c = (0.04, 0.036, 0.03, 0.024) (σ2/σ1 ≈ 0.9, as the bench model's updates have) and a random walk of
     * full-rank noise N_s with 3e-4 entries, over W_0 with 0.02 entries.
     */
    private static final class Trajectory {
        final Map<String, Shape> shapes = new LinkedHashMap<>();
        final Map<String, float[]> base = new LinkedHashMap<>();
        final Map<String, double[]> planted = new LinkedHashMap<>();
        final Map<String, double[]> walk = new LinkedHashMap<>();
        final SplittableRandom noise = new SplittableRandom(17);

        Trajectory() {
            SplittableRandom rnd = new SplittableRandom(16);
            shapes.put("q", new Shape(256, 192));
            shapes.put("down", new Shape(160, 320));
            shapes.put("k", new Shape(96, 256));
            double[] c = {0.04, 0.036, 0.03, 0.024};
            shapes.forEach((name, s) -> {
                int rows = (int) s.get(0);
                int cols = (int) s.get(1);
                float[] w0 = new float[rows * cols];
                for (int i = 0; i < w0.length; i++) {
                    w0[i] = (float) (0.02 * rnd.nextGaussian());
                }
                double[][] x = Rank1Test.orthonormal(rnd, rows, c.length);
                double[][] y = Rank1Test.orthonormal(rnd, cols, c.length);
                double[] d = new double[rows * cols];
                for (int k = 0; k < c.length; k++) {
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < cols; j++) {
                            d[i * cols + j] += c[k] * x[k][i] * y[k][j];
                        }
                    }
                }
                base.put(name, w0);
                planted.put(name, d);
                walk.put(name, new double[rows * cols]);
            });
        }

        /** The weights of the next step t (called for t = 1, 2, … in order: the noise walk advances). */
        Map<String, NDArray> weightsAt(int t, NDManager m) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            shapes.forEach((name, s) -> {
                float[] w0 = base.get(name);
                double[] d = planted.get(name);
                double[] n = walk.get(name);
                float[] v = new float[w0.length];
                for (int i = 0; i < v.length; i++) {
                    n[i] += 3e-4 * noise.nextGaussian();
                    v[i] = (float) (w0[i] + t * d[i] + n[i]);
                }
                w.put(name, m.create(v, s));
            });
            return w;
        }

        Map<String, NDArray> base(NDManager m) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            shapes.forEach((name, s) -> w.put(name, m.create(base.get(name), s)));
            return w;
        }
    }

    @Test
    void blockLanczosSnapshotsLeaveTheAlphaRlFitUnchangedOnAPlantedTrajectory() {
        Trajectory trajectory = new Trajectory();
        List<String> names = List.copyOf(trajectory.shapes.keySet());
        Map<String, NDArray> w0 = trajectory.base(m);
        Rank1 fast = new Rank1();
        Rank1 exact = new Rank1(Rank1.Options.DEFAULTS.exactOnly());
        Map<String, Double> lastNorms = new LinkedHashMap<>();
        try (SnapshotRecorder iterated = new SnapshotRecorder(w0, names, fast, m);
                SnapshotRecorder reference = new SnapshotRecorder(w0, names, exact, m)) {
            for (int t = 1; t <= STEPS; t++) {
                try (NDManager step = m.newSubManager()) {
                    Map<String, NDArray> w = trajectory.weightsAt(t, step);
                    double y = 0.05 * t + 0.01 * Math.sin(t); // a reward that rises with noise
                    iterated.record(t, w, y, null);
                    reference.record(t, w, y, null);
                    if (t == STEPS) {
                        w.forEach((name, a) -> lastNorms.put(
                                name,
                                Math.sqrt(a.toType(DataType.FLOAT64, false)
                                        .square()
                                        .sum()
                                        .getDouble())));
                    }
                }
            }
            int iterativeSnapshots = 0;
            for (int i = 0; i < STEPS; i++) {
                for (SnapshotAccuracy.MatrixAccuracy acc : SnapshotAccuracy.compare(
                        iterated.snapshots().get(i), reference.snapshots().get(i))) {
                    assertThat(acc.exactGapRatio()).isBetween(0.8, 0.97); // the premise: a realistic, narrow gap
                    if (acc.method() == TopTriplet.Method.ITERATIVE) {
                        iterativeSnapshots++;
                    }
                    // sin∠ ≤ tolerance = 1e-4 ⇔ |cos∠| ≥ √(1 − 1e-8)
                    assertThat(acc.uOverlap()).isGreaterThan(Math.sqrt(1 - 1e-8));
                    assertThat(acc.vOverlap()).isGreaterThan(Math.sqrt(1 - 1e-8));
                    assertThat(acc.sigma1Error()).isLessThan(1e-5);
                    assertThat(acc.sigma2Error()).isLessThan(1e-3);
                }
            }
            assertThat(iterativeSnapshots).isEqualTo(STEPS * names.size()); // no fallback was needed
            double targetReward = 0.05 * STEPS + 0.25;
            SnapshotAccuracy.FitAgreement fit =
                    SnapshotAccuracy.compareFits(iterated.snapshots(), reference.snapshots(), targetReward, lastNorms);
            assertThat(fit.compared()).isEqualTo(names.size());
            assertThat(fit.decidedOtherwise()).isEmpty();
            // the fit's result is unchanged within 1e-4 relative, on the fitted coefficient and on the prediction
            assertThat(fit.coefficientError()).isLessThan(1e-4);
            assertThat(fit.updateError()).isLessThan(1e-4);
            assertThat(fit.weightError()).isLessThan(1e-5);
        }
    }

    @Test
    void outerDistanceIsTheFrobeniusNormOfTheFormedDifference() {
        double[] a = {1, 2};
        double[] b = {3, -1, 0.5};
        double[] c = {0.5, 2.5};
        double[] d = {3, -2, 1};
        double sq = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                double x = a[i] * b[j] - c[i] * d[j];
                sq += x * x;
            }
        }
        assertThat(SnapshotAccuracy.outerDistance(a, b, c, d)).isCloseTo(Math.sqrt(sq), within(1e-12));
        assertThat(SnapshotAccuracy.outerDistance(a, b, a, b)).isCloseTo(0, within(1e-12));
    }

    @Test
    void identicalSnapshotsAgreeExactly() {
        MatrixSnapshot s = new MatrixSnapshot(
                new float[] {0, 3, 4},
                new float[] {0.6f, 0.8f},
                5,
                1,
                6,
                Double.NaN,
                false,
                TopTriplet.Method.ITERATIVE,
                3,
                true);
        Snapshot snapshot = new Snapshot(1, 0, null, Map.of("w", s));
        SnapshotAccuracy.MatrixAccuracy acc =
                SnapshotAccuracy.compare(snapshot, snapshot).get(0);
        assertThat(acc.sigma1Error()).isZero();
        assertThat(acc.sigma2Error()).isZero();
        assertThat(acc.uOverlap()).isCloseTo(1, within(1e-12));
        assertThat(acc.vOverlap()).isCloseTo(1, within(1e-7));
        assertThat(acc.exactGapRatio()).isCloseTo(0.2, within(1e-12));
        assertThat(acc.iterations()).isEqualTo(3);
    }
}
