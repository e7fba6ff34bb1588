package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Top triplets against an independent fp64 SVD (Commons Math). */
class Rank1Test {

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

    /** 5·u vᵀ + noise·G with random unit u, v. */
    static double[][] planted(int rows, int cols, double noise, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] u = unit(rnd, rows);
        double[] v = unit(rnd, cols);
        double[][] a = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                a[i][j] = 5 * u[i] * v[j] + noise * rnd.nextGaussian();
            }
        }
        return a;
    }

    static double[] unit(SplittableRandom rnd, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextGaussian();
        }
        return Vectors.scaled(x, 1 / Vectors.norm(x));
    }

    private NDArray f32(double[][] a) {
        float[] flat = new float[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                flat[i * a[0].length + j] = (float) a[i][j];
            }
        }
        return m.create(flat, new Shape(a.length, a[0].length));
    }

    /** The reference is computed from the same fp32-rounded values the triplet sees. */
    private static SingularValueDecomposition reference(NDArray a) {
        int rows = (int) a.getShape().get(0);
        int cols = (int) a.getShape().get(1);
        float[] flat = a.toFloatArray();
        double[][] d = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                d[i][j] = flat[i * cols + j];
            }
        }
        return new SingularValueDecomposition(new Array2DRowRealMatrix(d, false));
    }

    private static void assertMatches(TopTriplet t, SingularValueDecomposition ref) {
        double sigma = ref.getSingularValues()[0];
        assertThat(Math.abs(t.sigma1() - sigma) / sigma).isLessThan(1e-6);
        assertThat(Math.abs(Vectors.dot(t.u(), ref.getU().getColumn(0)))).isGreaterThan(1 - 1e-6);
        assertThat(Math.abs(Vectors.dot(t.v(), ref.getV().getColumn(0)))).isGreaterThan(1 - 1e-6);
        // u and v are paired: uᵀ A v = +σ1
        assertThat(Vectors.dot(t.u(), ref.getU().getColumn(0))
                        * Vectors.dot(t.v(), ref.getV().getColumn(0)))
                .isPositive();
        double frob = 0;
        for (double s : ref.getSingularValues()) {
            frob += s * s;
        }
        assertThat(t.frobenius()).isCloseTo(Math.sqrt(frob), within(1e-9 * Math.sqrt(frob)));
    }

    @Test
    void exactSvdAndPowerIterationRecoverAPlantedRankOneDirection() {
        NDArray a = f32(planted(60, 40, 0.01, 1));
        SingularValueDecomposition ref = reference(a);
        TopTriplet exact = new Rank1().top(a, null);
        assertThat(exact.method()).isEqualTo(TopTriplet.Method.EXACT);
        assertMatches(exact, ref);
        assertThat(exact.gapRatio()).isCloseTo(ref.getSingularValues()[1] / ref.getSingularValues()[0], within(1e-9));

        Rank1 iterative = new Rank1(Rank1.Options.DEFAULTS.iterativeOnly());
        TopTriplet power = iterative.top(a, null);
        assertThat(power.method()).isEqualTo(TopTriplet.Method.POWER);
        assertThat(power.converged()).isTrue();
        assertMatches(power, ref);
        // the deflated estimate of σ2 is a lower bound and close on this well-separated spectrum
        double sigma2 = ref.getSingularValues()[1];
        assertThat(power.sigma2()).isLessThanOrEqualTo(sigma2 * (1 + 1e-9)).isGreaterThan(0.9 * sigma2);

        // warm start from the converged v: converges at once
        TopTriplet warm = iterative.top(a, power.v());
        assertThat(warm.iterations()).isLessThanOrEqualTo(2);
        assertMatches(warm, ref);
        assertThat(a.getShape()).isEqualTo(new Shape(60, 40)); // input untouched
    }

    @Test
    void gaplessGaussianMatrixTriggersTheBlockFallbackAndTheFlag() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[][] g = new double[120][80];
        for (double[] row : g) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rnd.nextGaussian();
            }
        }
        NDArray a = f32(g);
        SingularValueDecomposition ref = reference(a);
        double refGap = ref.getSingularValues()[1] / ref.getSingularValues()[0];
        assertThat(refGap).isGreaterThan(0.9); // the premise: no spectral gap

        TopTriplet t = new Rank1(Rank1.Options.DEFAULTS.iterativeOnly()).top(a, null);
        assertThat(t.method()).isEqualTo(TopTriplet.Method.BLOCK);
        assertThat(t.fallback()).isTrue();
        assertThat(t.iterations()).isGreaterThan(Rank1.Options.DEFAULTS.maxIterations());
        assertThat(t.converged()).isTrue();
        assertMatches(t, ref);
        assertThat(t.gapRatio()).isCloseTo(refGap, within(1e-6));
    }

    @Test
    void zeroUpdateIsAZeroTriplet() {
        TopTriplet t = new Rank1().top(m.zeros(new Shape(4, 3)), null);
        assertThat(t.sigma1()).isZero();
        assertThat(t.frobenius()).isZero();
        assertThat(Vectors.norm(t.u())).isCloseTo(1, within(1e-15));
    }

    @Test
    void signAlignmentFlipsUAndVJointlyAgainstThePreviousU() {
        TopTriplet t = new Rank1().top(f32(planted(8, 5, 0.01, 9)), null);
        float[] previousA = Vectors.toFloats(Vectors.scaled(t.u(), 2.5));
        SignAlignment.Aligned same = SignAlignment.align(t, previousA);
        assertThat(same.flipped()).isFalse();
        assertThat(same.overlap()).isCloseTo(1, within(1e-6));

        SignAlignment.Aligned back = SignAlignment.align(t.flipped(), previousA);
        assertThat(back.flipped()).isTrue();
        assertThat(back.triplet().u()).containsExactly(t.u(), within(0.0));
        assertThat(back.triplet().v()).containsExactly(t.v(), within(0.0));
        assertThat(back.overlap()).isCloseTo(1, within(1e-6));

        SignAlignment.Aligned first = SignAlignment.align(t.flipped(), null);
        assertThat(first.flipped()).isFalse();
        assertThat(first.overlap()).isNaN();
    }
}
