package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Rank-k reconstructions of an update (ALPHARL.md §1, §11; code {@code upd_rank.py}): per tracked matrix,
 * ΔW = W_T − W_0 = Σ σ_i u_i v_iᵀ (exact SVD in fp64) and
 * <pre>
 *   rescaled:  W = W_0 + α_k·Σ_{i≤k} σ_i u_i v_iᵀ,   α_k = ‖ΔW‖_F / sqrt(Σ_{i≤k} σ_i²)    (k = 1: W_0 + ‖ΔW‖_F·u_1 v_1ᵀ)
 *   unscaled:  W = W_0 + Σ_{i≤k} σ_i u_i v_iᵀ
 *   random:    W = W_0 + ‖ΔW‖_F·R/‖R‖_F,   R = G_1 G_2ᵀ, G_1 ∈ R^{d_out×k}, G_2 ∈ R^{d_in×k} iid N(0,1)
 * </pre>
 * with k capped at min(d_out, d_in). The random update is the control: a rank-k change of the same size in no
 * particular direction. Every other tensor (embeddings, norms, biases) is taken at W_0 or at W_T.
 */
public final class RankReconstruction {

    /** The rank meaning "every singular triplet". */
    public static final int ALL = Integer.MAX_VALUE;

    /** How the kept part of ΔW is built. */
    public enum Kind {
        RESCALED,
        UNSCALED,
        RANDOM
    }

    /**
     * One reconstruction.
     *
     * @param rank      k (or {@link #ALL})
     * @param restAtEnd whether the untracked tensors take their W_T values (else W_0)
     */
    public record Spec(int rank, Kind kind, boolean restAtEnd) {
        /** "1", "2", …, or "all". */
        public String rankLabel() {
            return rank == ALL ? "all" : Integer.toString(rank);
        }
    }

    private RankReconstruction() {}

    /** k for Rank-p%: max(1, ⌊min(d_out, d_in)·p/100⌋). */
    public static int rankForPercent(long rows, long cols, double percent) {
        return (int) Math.max(1, Math.floor(Math.min(rows, cols) * percent / 100));
    }

    /**
     * The rescaled rank-1 (percent null) or Rank-p% reconstruction, other tensors at W_0.
     *
     * @return new arrays on {@code out}, by name in W_0's order
     */
    public static Map<String, NDArray> build(
            Map<String, NDArray> w0, Map<String, NDArray> wT, List<String> matrices, Double percent, NDManager out) {
        return build(w0, wT, matrices, percent == null ? 1 : null, percent, Kind.RESCALED, false, 0, out);
    }

    /**
     * The reconstruction {@code spec}; {@code seed} seeds the random kind (each matrix draws from a generator seeded
     * by it and the matrix's name).
     *
     * @return new arrays on {@code out}, by name in W_0's order
     */
    public static Map<String, NDArray> build(
            Map<String, NDArray> w0,
            Map<String, NDArray> wT,
            List<String> matrices,
            Spec spec,
            long seed,
            NDManager out) {
        return build(w0, wT, matrices, spec.rank(), null, spec.kind(), spec.restAtEnd(), seed, out);
    }

    private static Map<String, NDArray> build(
            Map<String, NDArray> w0,
            Map<String, NDArray> wT,
            List<String> matrices,
            Integer rank,
            Double percent,
            Kind kind,
            boolean restAtEnd,
            long seed,
            NDManager out) {
        Map<String, NDArray> result = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : w0.entrySet()) {
            String name = e.getKey();
            NDArray base = e.getValue();
            NDArray last = wT.get(name);
            NDArray w;
            if (matrices.contains(name)) {
                w = StepScope.run(out, scope -> {
                    NDArray b = scope.own(base.toType(DataType.FLOAT64, true));
                    NDArray delta =
                            scope.own(last.toType(DataType.FLOAT64, true)).sub(b);
                    long rows = delta.getShape().get(0);
                    long cols = delta.getShape().get(1);
                    int k = (int)
                            Math.min(Math.min(rows, cols), rank != null ? rank : rankForPercent(rows, cols, percent));
                    NDArray kept = kind == Kind.RANDOM
                            ? randomLike(delta, k, new SplittableRandom(seed ^ name.hashCode()), scope.manager())
                            : truncated(delta, k, kind == Kind.RESCALED);
                    NDArray r = b.add(kept).toType(base.getDataType(), true);
                    r.attach(out);
                    return r;
                });
            } else {
                w = (restAtEnd ? last : base).duplicate();
                w.attach(out);
            }
            result.put(name, w);
        }
        return result;
    }

    /** Σ_{i≤k} σ_i u_i v_iᵀ, times α_k when rescaled (zero for a zero update). */
    private static NDArray truncated(NDArray delta, int k, boolean rescaled) {
        TorchOps.Svd svd = TorchOps.of(delta).svd(delta);
        double[] s = svd.s().toDoubleArray();
        double all = 0;
        double kept = 0;
        for (int i = 0; i < s.length; i++) {
            all += s[i] * s[i];
            kept += i < k ? s[i] * s[i] : 0;
        }
        if (!(kept > 0)) {
            return delta.zerosLike();
        }
        double alpha = rescaled ? Math.sqrt(all / kept) : 1;
        NDArray uk = svd.u().get(":, 0:" + k);
        NDArray sk = svd.s().get("0:" + k).mul(Constant.like(svd.s(), alpha)).reshape(1, k);
        NDArray vtk = svd.vt().get("0:" + k + ", :");
        return uk.mul(sk).matMul(vtk);
    }

    /** ‖ΔW‖_F·R/‖R‖_F with R = G_1 G_2ᵀ of rank k. */
    private static NDArray randomLike(NDArray delta, int k, SplittableRandom random, NDManager m) {
        double norm = Math.sqrt(delta.square().sum().getDouble());
        long rows = delta.getShape().get(0);
        long cols = delta.getShape().get(1);
        NDArray r = m.create(gaussian(random, rows * k), new Shape(rows, k))
                .matMul(m.create(gaussian(random, cols * k), new Shape(k, cols)));
        double rNorm = Math.sqrt(r.square().sum().getDouble());
        return rNorm > 0 ? r.mul(Constant.like(r, norm / rNorm)) : r;
    }

    private static double[] gaussian(SplittableRandom random, long n) {
        double[] g = new double[(int) n];
        for (int i = 0; i < g.length; i++) {
            g[i] = random.nextGaussian();
        }
        return g;
    }
}
