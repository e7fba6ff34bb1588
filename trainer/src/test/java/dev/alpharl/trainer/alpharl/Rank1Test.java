package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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

    /** Σ_i σ_i x_i y_iᵀ with orthonormal random x_i ∈ R^rows, y_i ∈ R^cols: a matrix with exactly these σ's. */
    static double[][] withSpectrum(int rows, int cols, double[] sigmas, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] x = orthonormal(rnd, rows, sigmas.length);
        double[][] y = orthonormal(rnd, cols, sigmas.length);
        double[][] a = new double[rows][cols];
        for (int k = 0; k < sigmas.length; k++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    a[i][j] += sigmas[k] * x[k][i] * y[k][j];
                }
            }
        }
        return a;
    }

    /** k orthonormal vectors of length n (Gram–Schmidt, twice, on Gaussian vectors). */
    static double[][] orthonormal(SplittableRandom rnd, int n, int k) {
        double[][] q = new double[k][];
        for (int c = 0; c < k; c++) {
            double[] x = unit(rnd, n);
            for (int pass = 0; pass < 2; pass++) {
                for (int d = 0; d < c; d++) {
                    double dot = Vectors.dot(x, q[d]);
                    for (int i = 0; i < n; i++) {
                        x[i] -= dot * q[d][i];
                    }
                }
            }
            q[c] = Vectors.scaled(x, 1 / Vectors.norm(x));
        }
        return q;
    }

    /** σ_i = decay^(i−1) for i = 1..count. */
    static double[] geometric(int count, double decay) {
        double[] s = new double[count];
        for (int i = 0; i < count; i++) {
            s[i] = Math.pow(decay, i);
        }
        return s;
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

    /**
     * sin∠(x, y) = ‖x̂ − (x̂·ŷ)ŷ‖ with x̂, ŷ normalised in fp64: accurate for tiny angles, where √(1 − cos²) of
     * fp32 vectors that are unit only to ~1e-7 would read ~5e-4.
     */
    private static double sine(double[] x, double[] y) {
        double[] xn = Vectors.scaled(x, 1 / Vectors.norm(x));
        double[] yn = Vectors.scaled(y, 1 / Vectors.norm(y));
        return Vectors.norm(Vectors.difference(xn, Vectors.scaled(yn, Vectors.dot(xn, yn))));
    }

    /**
     * σ1 within {@code sigmaTolerance} relative, sin∠ of u and v within {@code angleTolerance}, u and v paired
     * (uᵀ A v = +σ1), ‖A‖_F within {@code sigmaTolerance}.
     */
    private static void assertMatches(
            TopTriplet t, SingularValueDecomposition ref, double sigmaTolerance, double angleTolerance) {
        double sigma = ref.getSingularValues()[0];
        assertThat(Math.abs(t.sigma1() - sigma) / sigma).isLessThan(sigmaTolerance);
        assertThat(sine(t.u(), ref.getU().getColumn(0))).isLessThan(angleTolerance);
        assertThat(sine(t.v(), ref.getV().getColumn(0))).isLessThan(angleTolerance);
        assertThat(Vectors.dot(t.u(), ref.getU().getColumn(0))
                        * Vectors.dot(t.v(), ref.getV().getColumn(0)))
                .isPositive();
        double frob = 0;
        for (double s : ref.getSingularValues()) {
            frob += s * s;
        }
        assertThat(t.frobenius()).isCloseTo(Math.sqrt(frob), within(sigmaTolerance * Math.sqrt(frob)));
    }

    @Test
    void exactSvdMatchesTheReference() {
        NDArray a = f32(planted(60, 40, 0.01, 1));
        SingularValueDecomposition ref = reference(a);
        TopTriplet exact = new Rank1().top(a, null);
        assertThat(exact.method()).isEqualTo(TopTriplet.Method.EXACT);
        assertMatches(exact, ref, 1e-9, 1e-7);
        assertThat(exact.gapRatio()).isCloseTo(ref.getSingularValues()[1] / ref.getSingularValues()[0], within(1e-9));
        // the warm start of the next snapshot: the top right singular vectors, v1 first
        assertThat(exact.ritz()).hasSize(Rank1.Options.DEFAULTS.blockSize() * 40);
        for (int j = 0; j < 40; j++) {
            assertThat((double) exact.ritz()[j]).isCloseTo(exact.v()[j], within(1e-6));
        }
    }

    @Test
    void blockLanczosMeetsItsStoppingRuleOnANarrowGap() {
        // σ2/σ1 = 0.98: power iteration would need ~600 steps for a 1e-4 angle; the block of 4 sees σ5/σ1 = 0.9^3
        double[] sigmas = geometric(60, 0.97);
        sigmas[1] = 0.98;
        sigmas[2] = 0.95;
        NDArray a = f32(withSpectrum(300, 200, sigmas, 2));
        SingularValueDecomposition ref = reference(a);
        Rank1 rank1 = new Rank1();
        assertThat(rank1.usesExactSvd(300, 200)).isFalse();
        TopTriplet t = rank1.top(a, null);
        assertThat(t.method()).isEqualTo(TopTriplet.Method.ITERATIVE);
        assertThat(t.iterations()).isBetween(2, Rank1.Options.DEFAULTS.maxSteps());
        // the stopping rule bounds sin∠ of u and v by the tolerance; σ1 is good to fp32 rounding
        assertMatches(t, ref, 1e-5, Rank1.Options.DEFAULTS.tolerance());
        // σ2 is the second Ritz value: a lower bound, and close once the basis has converged
        double sigma2 = ref.getSingularValues()[1];
        assertThat(t.sigma2()).isLessThanOrEqualTo(sigma2 * (1 + 1e-6)).isGreaterThan(sigma2 * (1 - 1e-3));
        assertThat(a.getShape()).isEqualTo(new Shape(300, 200)); // input untouched

        // from its own Ritz vectors the first step already meets the rule, with the same orientation
        TopTriplet warm = rank1.top(a, t.ritz());
        assertThat(warm.iterations()).isEqualTo(1);
        assertMatches(warm, ref, 1e-5, Rank1.Options.DEFAULTS.tolerance());
        assertThat(Vectors.dot(warm.v(), t.v())).isPositive();
    }

    @Test
    void aWarmStartFromANearbyMatrixSavesSteps() {
        double[] sigmas = geometric(60, 0.97);
        double[][] before = withSpectrum(300, 200, sigmas, 3);
        double[][] after = withSpectrum(300, 200, sigmas, 3);
        SplittableRandom rnd = new SplittableRandom(4);
        for (double[] row : after) {
            for (int j = 0; j < row.length; j++) {
                row[j] += 2e-4 * rnd.nextGaussian(); // ‖noise‖₂ ≈ 2e-4·(√300 + √200) ≈ 0.006
            }
        }
        Rank1 rank1 = new Rank1();
        TopTriplet first = rank1.top(f32(before), null);
        NDArray next = f32(after);
        TopTriplet cold = rank1.top(next, null);
        TopTriplet warm = rank1.top(next, first.ritz());
        assertThat(cold.method()).isEqualTo(TopTriplet.Method.ITERATIVE);
        assertThat(warm.method()).isEqualTo(TopTriplet.Method.ITERATIVE);
        assertThat(warm.iterations()).isLessThan(cold.iterations());
        SingularValueDecomposition ref = reference(next);
        assertMatches(cold, ref, 1e-5, Rank1.Options.DEFAULTS.tolerance());
        assertMatches(warm, ref, 1e-5, Rank1.Options.DEFAULTS.tolerance());
    }

    @Test
    void anIterationThatCannotSeparateSigma1FromSigma2FallsBackToTheExactSvd() {
        // σ2/σ1 = 1 − 1e-7: below what fp32 products resolve, so the residual cannot reach tolerance·(σ1 − σ2)
        double[] sigmas = geometric(40, 0.9);
        sigmas[1] = 1 - 1e-7;
        NDArray a = f32(withSpectrum(200, 120, sigmas, 5));
        SingularValueDecomposition ref = reference(a);
        TopTriplet t = new Rank1().top(a, null);
        assertThat(t.method()).isEqualTo(TopTriplet.Method.EXACT_FALLBACK);
        assertThat(t.fallback()).isTrue();
        assertThat(t.iterations()).isBetween(1, Rank1.Options.DEFAULTS.maxSteps());
        assertMatches(t, ref, 1e-9, 1e-6);
        assertThat(t.gapRatio()).isCloseTo(ref.getSingularValues()[1] / ref.getSingularValues()[0], within(1e-9));
    }

    @Test
    void zeroUpdateIsAZeroTripletOnBothPaths() {
        for (Rank1 rank1 : new Rank1[] {new Rank1(), new Rank1(Rank1.Options.DEFAULTS.iterativeOnly())}) {
            TopTriplet t = rank1.top(m.zeros(new Shape(80, 70)), null);
            assertThat(t.sigma1()).isZero();
            assertThat(t.frobenius()).isZero();
            assertThat(Vectors.norm(t.u())).isCloseTo(1, within(1e-15));
        }
    }

    @Test
    void theIteratedPairFollowsTheSignOfTheWarmStart() {
        NDArray a = f32(planted(120, 90, 0.01, 6));
        Rank1 rank1 = new Rank1(Rank1.Options.DEFAULTS.iterativeOnly());
        TopTriplet t = rank1.top(a, null);
        TopTriplet same = rank1.top(a, t.ritz());
        TopTriplet opposite = rank1.top(a, t.flipped().ritz());
        assertThat(Vectors.dot(same.v(), t.v())).isCloseTo(1, within(1e-6));
        assertThat(Vectors.dot(same.u(), t.u())).isCloseTo(1, within(1e-6));
        assertThat(Vectors.dot(opposite.v(), t.v())).isCloseTo(-1, within(1e-6));
        assertThat(Vectors.dot(opposite.u(), t.u())).isCloseTo(-1, within(1e-6));
    }

    @Test
    void rejectsAWarmStartThatIsNotWholeVectors() {
        NDArray a = f32(planted(120, 90, 0.01, 7));
        assertThatThrownBy(() -> new Rank1().top(a, new float[91]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length 90");
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
        assertThat(back.triplet().ritz()).containsExactly(t.ritz());
        assertThat(back.overlap()).isCloseTo(1, within(1e-6));

        SignAlignment.Aligned first = SignAlignment.align(t.flipped(), null);
        assertThat(first.flipped()).isFalse();
        assertThat(first.overlap()).isNaN();
    }
}
