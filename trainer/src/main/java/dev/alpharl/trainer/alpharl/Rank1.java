package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchOps;
import java.util.SplittableRandom;

/**
 * The top singular triplet (σ1, u1, v1) of an update matrix ΔW [d_out, d_in], computed in fp64 (ALPHARL.md §10,
 * DJL.md §11):
 * <ul>
 *   <li>small matrices (min(d_out, d_in) ≤ {@code exactMaxMinDim} and numel ≤ {@code exactMaxNumel}): exact thin
 *       SVD, which also gives σ2 exactly;</li>
 *   <li>large ones: power iteration {@code v ← normalise(ΔWᵀ ΔW v)} warm-started from the previous snapshot's v1,
 *       stopped when {@code 1 − |v·v_old| < tolerance} or after {@code maxIterations}; then σ1 = ‖ΔW v‖,
 *       u = ΔW v / σ1, and σ2 estimated by a short power iteration on the deflated ΔW − σ1 u vᵀ (a lower bound);</li>
 *   <li>when the power iteration does not converge (σ2/σ1 close to 1: the angle error decays only like
 *       (σ2/σ1)^{2·iters}), block iteration with {@code blockSize} vectors, each step orthonormalised by QR, and a
 *       Rayleigh–Ritz SVD of the small matrix Qᵀ ΔW V; the result is flagged {@link TopTriplet.Method#BLOCK}.</li>
 * </ul>
 * All temporaries live in a step scope on the input's manager and are freed before returning.
 */
public final class Rank1 {

    /** Tuning knobs; {@link #DEFAULTS} follows ALPHARL.md §10. */
    public record Options(
            int exactMaxMinDim,
            long exactMaxNumel,
            double tolerance,
            int maxIterations,
            int blockSize,
            int blockMaxIterations,
            long seed) {
        public static final Options DEFAULTS = new Options(1024, 4_000_000L, 1e-10, 50, 8, 300, 0x5EEDL);

        /** The same options with the exact-SVD threshold set to 0: always iterate (tests, benchmarks). */
        public Options iterativeOnly() {
            return new Options(0, 0, tolerance, maxIterations, blockSize, blockMaxIterations, seed);
        }
    }

    /** Tolerance and iteration limit of the deflated power iteration that estimates σ2. */
    private static final double SIGMA2_TOLERANCE = 1e-8;

    private static final int SIGMA2_ITERATIONS = 30;

    private final Options options;

    public Rank1(Options options) {
        this.options = options;
    }

    public Rank1() {
        this(Options.DEFAULTS);
    }

    public Options options() {
        return options;
    }

    /** True when {@link #top} uses the exact SVD for a matrix of this shape. */
    public boolean usesExactSvd(long rows, long cols) {
        return Math.min(rows, cols) <= options.exactMaxMinDim() && rows * cols <= options.exactMaxNumel();
    }

    /**
     * The top triplet of {@code delta} (2-D, any float dtype; left untouched).
     *
     * @param warmV the previous snapshot's v1 (length d_in) to start the iteration from, or null for a seeded
     *              random start; ignored by the exact SVD
     */
    public TopTriplet top(NDArray delta, double[] warmV) {
        Shape shape = delta.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("expected a 2-D matrix, got shape " + shape);
        }
        try (StepScope scope = StepScope.open(delta.getManager())) {
            NDArray a = scope.own(delta.toType(DataType.FLOAT64, true));
            double frobenius = Math.sqrt(a.mul(a).sum().getDouble());
            if (frobenius == 0) {
                return zero(shape);
            }
            if (usesExactSvd(shape.get(0), shape.get(1))) {
                return exact(a, frobenius);
            }
            return iterative(a, frobenius, warmV, scope.manager());
        }
    }

    private static TopTriplet zero(Shape shape) {
        double[] u = new double[(int) shape.get(0)];
        double[] v = new double[(int) shape.get(1)];
        u[0] = 1;
        v[0] = 1;
        return new TopTriplet(0, 0, u, v, 0, TopTriplet.Method.EXACT, 0, true);
    }

    private static TopTriplet exact(NDArray a, double frobenius) {
        try (TorchOps.Svd svd = TorchOps.of(a).svd(a)) {
            double[] s = svd.s().toDoubleArray();
            double[] u = svd.u().get(":, 0").toDoubleArray();
            double[] v = svd.vt().get("0, :").toDoubleArray();
            return new TopTriplet(s[0], s.length > 1 ? s[1] : 0, u, v, frobenius, TopTriplet.Method.EXACT, 0, true);
        }
    }

    private TopTriplet iterative(NDArray a, double frobenius, double[] warmV, NDManager m) {
        int dIn = (int) a.getShape().get(1);
        NDArray at = a.transpose();
        SplittableRandom random = new SplittableRandom(
                options.seed() ^ (31 * a.getShape().get(0) + a.getShape().get(1)));
        double[] start =
                warmV != null && warmV.length == dIn && Vectors.norm(warmV) > 0 ? warmV : gaussian(random, dIn);
        NDArray v = unit(m.create(start, new Shape(dIn, 1)));
        int iterations = 0;
        boolean converged = false;
        while (iterations < options.maxIterations() && !converged) {
            NDArray next = unit(at.matMul(a.matMul(v)));
            converged = 1 - Math.abs(next.mul(v).sum().getDouble()) < options.tolerance();
            v = next;
            iterations++;
        }
        if (!converged) {
            return block(a, at, frobenius, v, random, m, iterations);
        }
        NDArray av = a.matMul(v);
        double sigma1 = Math.sqrt(av.mul(av).sum().getDouble());
        NDArray u = av.div(Constant.like(av, sigma1));
        double sigma2 = deflatedSigma(a, at, sigma1, u, v, random, m);
        return new TopTriplet(
                sigma1,
                sigma2,
                u.toDoubleArray(),
                v.toDoubleArray(),
                frobenius,
                TopTriplet.Method.POWER,
                iterations,
                true);
    }

    /** Power iteration on B = A − σ1 u vᵀ (Bx = Ax − σ1 u (v·x), Bᵀy = Aᵀy − σ1 v (u·y)); returns ‖B x‖ ≤ σ2. */
    private static double deflatedSigma(
            NDArray a, NDArray at, double sigma1, NDArray u, NDArray v, SplittableRandom random, NDManager m) {
        int dIn = (int) v.getShape().get(0);
        NDArray x = unit(m.create(gaussian(random, dIn), new Shape(dIn, 1)));
        double estimate = 0;
        for (int i = 0; i < SIGMA2_ITERATIONS; i++) {
            NDArray y = a.matMul(x)
                    .sub(u.mul(Constant.like(u, sigma1 * v.mul(x).sum().getDouble())));
            double next = Math.sqrt(y.mul(y).sum().getDouble());
            NDArray z = at.matMul(y)
                    .sub(v.mul(Constant.like(v, sigma1 * u.mul(y).sum().getDouble())));
            double norm = Math.sqrt(z.mul(z).sum().getDouble());
            if (norm == 0) {
                return next;
            }
            x = z.div(Constant.like(z, norm));
            boolean settled = Math.abs(next - estimate) <= SIGMA2_TOLERANCE * next;
            estimate = next;
            if (settled) {
                break;
            }
        }
        return estimate;
    }

    /**
     * Subspace iteration: V ← qr(Aᵀ qr(A V).Q).Q with V [d_in, p] started from the power iterate and random
     * columns; the Ritz triplets come from the SVD of the p×p matrix Qᵀ A V = Ub S Vbᵀ (u = Q Ub₀, v = V Vb₀).
     */
    private TopTriplet block(
            NDArray a,
            NDArray at,
            double frobenius,
            NDArray v0,
            SplittableRandom random,
            NDManager m,
            int powerIterations) {
        TorchOps ops = TorchOps.of(a);
        int dIn = (int) a.getShape().get(1);
        int p = (int) Math.min(options.blockSize(), Math.min(a.getShape().get(0), dIn));
        double[] init = new double[dIn * p];
        double[] first = v0.toDoubleArray();
        for (int i = 0; i < dIn; i++) {
            init[i * p] = first[i];
            for (int j = 1; j < p; j++) {
                init[i * p + j] = random.nextGaussian();
            }
        }
        NDArray vBlock = ops.qr(m.create(init, new Shape(dIn, p))).q();
        double[] previousTop = null;
        double[] sigma = null;
        NDArray uTop = null;
        NDArray vTop = null;
        int iterations = 0;
        boolean converged = false;
        while (iterations < options.blockMaxIterations() && !converged) {
            NDArray q = ops.qr(a.matMul(vBlock)).q();
            vBlock = ops.qr(at.matMul(q)).q();
            TorchOps.Svd small = ops.svd(q.transpose().matMul(a).matMul(vBlock));
            sigma = small.s().toDoubleArray();
            uTop = q.matMul(small.u().get(":, 0:1"));
            vTop = vBlock.matMul(small.vt().get("0:1, :").transpose());
            double[] top = vTop.toDoubleArray();
            converged = previousTop != null && 1 - Math.abs(Vectors.dot(top, previousTop)) < options.tolerance();
            previousTop = top;
            iterations++;
        }
        return new TopTriplet(
                sigma[0],
                sigma.length > 1 ? sigma[1] : 0,
                uTop.toDoubleArray(),
                previousTop,
                frobenius,
                TopTriplet.Method.BLOCK,
                powerIterations + iterations,
                converged);
    }

    private static NDArray unit(NDArray x) {
        return x.div(Constant.like(x, Math.sqrt(x.mul(x).sum().getDouble())));
    }

    private static double[] gaussian(SplittableRandom random, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = random.nextGaussian();
        }
        return g;
    }
}
