package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchOps;
import java.util.SplittableRandom;

/**
 * The top singular triplet (σ1, u1, v1) of an update matrix ΔW [d_out, d_in] (ALPHARL.md §10, DJL.md §11):
 * <ul>
 *   <li>small matrices, min(d_out, d_in) ≤ {@code exactMaxMinDim} (where a Lanczos basis would span most of the
 *       space anyway): exact thin SVD in fp64, which also gives σ2 exactly;</li>
 *   <li>the others: block Lanczos in fp32 on the matrix's device ({@link TorchOps#topTripletLanczos}), blocks of
 *       {@code blockSize} vectors started from the previous snapshot's top Ritz right vectors (completed by seeded
 *       Gaussian columns), stopped on the triplet itself: ρ1 = ‖ΔWᵀu1 − σ1·v1‖ ≤ {@code tolerance}·(σ1 − σ2 − ρ2),
 *       which bounds the sine of the angle of u1 and of v1 to the exact vectors by {@code tolerance} (Wedin's
 *       theorem with σ2 + ρ2, the second Ritz value plus its residual, standing in for the true σ2 that the Ritz
 *       value approaches from below). ΔW·v1 = σ1·u1 holds by construction, and σ1 is then accurate to
 *       ρ1²/(σ1 − σ2);</li>
 *   <li>when block Lanczos does not stop within {@code maxSteps} steps (σ2 too close to σ1 for its basis, or ρ
 *       stuck at the fp32 rounding floor {@code floor}·σ1 above the tolerance), the exact SVD, flagged
 *       {@link TopTriplet.Method#EXACT_FALLBACK}.</li>
 * </ul>
 * An iterated v1 points the way of the warm start's first vector (v1·v_warm ≥ 0), so successive snapshots keep
 * their signs unless the update turns around. Temporaries live in a step scope on the input's manager.
 */
public final class Rank1 {

    /** Tuning knobs; {@link #DEFAULTS} follows ALPHARL.md §10. */
    public record Options(int exactMaxMinDim, int blockSize, int maxSteps, double tolerance, double floor, long seed) {

        public static final Options DEFAULTS = new Options(64, 4, 16, 1e-4, 1e-6, 0x5EEDL);

        public Options {
            if (blockSize < 1 || maxSteps < 1 || !(tolerance > 0) || !(floor >= 0)) {
                throw new IllegalArgumentException("invalid Rank1 options: block size " + blockSize + ", max steps "
                        + maxSteps + ", tolerance " + tolerance + ", floor " + floor);
            }
        }

        /** The same options, iterating for every shape (tests, benchmarks). */
        public Options iterativeOnly() {
            return new Options(0, blockSize, maxSteps, tolerance, floor, seed);
        }

        /** The same options, with the exact SVD for every shape (the reference of accuracy checks). */
        public Options exactOnly() {
            return new Options(Integer.MAX_VALUE, blockSize, maxSteps, tolerance, floor, seed);
        }
    }

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

    /** True when {@link #top} uses the exact SVD for a matrix of this shape (not counting fallbacks). */
    public boolean usesExactSvd(long rows, long cols) {
        return Math.min(rows, cols) <= options.exactMaxMinDim();
    }

    /**
     * The top triplet of {@code delta} (2-D, any float dtype; left untouched).
     *
     * @param warm the previous snapshot's {@link TopTriplet#ritz} (k rows of length d_in) to start block Lanczos
     *             from, or null for a seeded random start; ignored by the exact SVD
     */
    public TopTriplet top(NDArray delta, float[] warm) {
        Shape shape = delta.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("expected a 2-D matrix, got shape " + shape);
        }
        int cols = (int) shape.get(1);
        if (warm != null && (warm.length == 0 || warm.length % cols != 0)) {
            throw new IllegalArgumentException(
                    "warm start of " + warm.length + " floats is not a whole number of vectors of length " + cols);
        }
        try (StepScope scope = StepScope.open(delta.getManager())) {
            if (usesExactSvd(shape.get(0), cols)) {
                return exact(delta, TopTriplet.Method.EXACT, 0, scope);
            }
            NDArray a =
                    delta.getDataType() == DataType.FLOAT32 ? delta : scope.own(delta.toType(DataType.FLOAT32, false));
            NDArray start = scope.manager()
                    .create(startBlock(warm, shape), new Shape(options.blockSize(), cols))
                    .transpose();
            try (TorchOps.Lanczos l = TorchOps.of(a)
                    .topTripletLanczos(a, start, options.maxSteps(), options.tolerance(), options.floor())) {
                double[] stats = l.stats().toDoubleArray();
                double frobenius = stats[3];
                if (frobenius == 0) {
                    return zero(shape);
                }
                int steps = (int) stats[4];
                if (stats[5] == 0) {
                    return exact(delta, TopTriplet.Method.EXACT_FALLBACK, steps, scope);
                }
                TopTriplet t = new TopTriplet(
                        stats[0],
                        stats[1],
                        Vectors.toDoubles(l.u().toFloatArray()),
                        Vectors.toDoubles(l.v().toFloatArray()),
                        frobenius,
                        TopTriplet.Method.ITERATIVE,
                        steps,
                        l.ritz().toFloatArray());
                // the small SVD's sign is arbitrary: follow the warm start instead
                return warm != null && Vectors.dot(firstRow(warm, cols), t.v()) < 0 ? t.flipped() : t;
            }
        }
    }

    /** [blockSize, d_in] row-major: the warm vectors first (at most blockSize), then seeded Gaussian rows. */
    private float[] startBlock(float[] warm, Shape shape) {
        int cols = (int) shape.get(1);
        int p = options.blockSize();
        float[] block = new float[p * cols];
        int given = warm == null ? 0 : Math.min(p, warm.length / cols);
        if (given > 0) {
            System.arraycopy(warm, 0, block, 0, given * cols);
        }
        SplittableRandom random = new SplittableRandom(options.seed() ^ (31 * shape.get(0) + shape.get(1)));
        for (int i = given * cols; i < block.length; i++) {
            block[i] = (float) random.nextGaussian();
        }
        return block;
    }

    private static float[] firstRow(float[] rows, int cols) {
        return java.util.Arrays.copyOf(rows, cols);
    }

    private TopTriplet exact(NDArray delta, TopTriplet.Method method, int steps, StepScope scope) {
        NDArray a = scope.own(delta.toType(DataType.FLOAT64, true));
        try (TorchOps.Svd svd = TorchOps.of(a).svd(a)) {
            double[] s = svd.s().toDoubleArray();
            double squares = 0;
            for (double x : s) {
                squares += x * x;
            }
            if (squares == 0) {
                return zero(delta.getShape());
            }
            int k = Math.min(options.blockSize(), s.length);
            return new TopTriplet(
                    s[0],
                    s.length > 1 ? s[1] : 0,
                    svd.u().get(":, 0").toDoubleArray(),
                    svd.vt().get("0, :").toDoubleArray(),
                    Math.sqrt(squares),
                    method,
                    steps,
                    scope.own(svd.vt().get("0:" + k + ", :").toType(DataType.FLOAT32, false))
                            .toFloatArray());
        }
    }

    /**
     * The top triplet of a LoRA update ΔW = s·B·A (B [d_out, r], A [r, d_in]; left untouched), exactly and at a cost
     * O((d_out + d_in)·r²) independent of d_out·d_in, without forming ΔW. With the reduced QR factorisations
     * B = Q_B·R_B and Aᵀ = Q_A·R_A:
     * <pre>
     *   ΔW = Q_B · (s·R_B·R_Aᵀ) · Q_Aᵀ,   s·R_B·R_Aᵀ = U·Σ·Vᵀ (an r×r SVD)
     *   σ_i = Σ_i,   u1 = Q_B·U[:, 0],   v1 = Q_A·V[:, 0],   ‖ΔW‖_F = ‖Σ‖
     * </pre>
     * since Q_B and Q_A have orthonormal columns. Computed in fp64; the result is flagged
     * {@link TopTriplet.Method#FACTORED}.
     */
    public TopTriplet topOfProduct(NDArray b, NDArray a, double scale) {
        Shape bs = b.getShape();
        Shape as = a.getShape();
        if (bs.dimension() != 2 || as.dimension() != 2 || bs.get(1) != as.get(0)) {
            throw new IllegalArgumentException("expected B [d_out, r] and A [r, d_in], got " + bs + " and " + as);
        }
        try (StepScope scope = StepScope.open(b.getManager())) {
            NDArray b64 = scope.own(b.toType(DataType.FLOAT64, true));
            NDArray a64 = scope.own(a.toType(DataType.FLOAT64, true));
            TorchOps ops = TorchOps.of(b64);
            TorchOps.Qr qb = ops.qr(b64);
            TorchOps.Qr qa = ops.qr(a64.transpose());
            NDArray core = qb.r().matMul(qa.r().transpose());
            core = core.mul(Constant.like(core, scale));
            try (TorchOps.Svd svd = ops.svd(core)) {
                double[] s = svd.s().toDoubleArray();
                double frobenius = Math.sqrt(Vectors.dot(s, s));
                if (frobenius == 0) {
                    return zero(new Shape(bs.get(0), as.get(1)));
                }
                double[] u = qb.q().matMul(svd.u().get(":, 0:1")).toDoubleArray();
                double[] v = qa.q().matMul(svd.vt().get("0:1, :").transpose()).toDoubleArray();
                return new TopTriplet(
                        s[0],
                        s.length > 1 ? s[1] : 0,
                        u,
                        v,
                        frobenius,
                        TopTriplet.Method.FACTORED,
                        0,
                        Vectors.toFloats(v));
            }
        }
    }

    private static TopTriplet zero(Shape shape) {
        double[] u = new double[(int) shape.get(0)];
        double[] v = new double[(int) shape.get(1)];
        u[0] = 1;
        v[0] = 1;
        return new TopTriplet(0, 0, u, v, 0, TopTriplet.Method.EXACT, 0, Vectors.toFloats(v));
    }
}
