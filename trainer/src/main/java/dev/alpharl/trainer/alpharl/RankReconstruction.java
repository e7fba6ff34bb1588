package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rank-k reconstructions of an update with Frobenius rescaling (ALPHARL.md §1, code {@code upd_rank.py}): per
 * tracked matrix, ΔW = W_T − W_0 = Σ σ_i u_i v_iᵀ and
 * <pre>  W = W_0 + α_k·Σ_{i≤k} σ_i u_i v_iᵀ,   α_k = ‖ΔW‖_F / sqrt(Σ_{i≤k} σ_i²)</pre>
 * (for k = 1: W_0 + ‖ΔW‖_F·u_1 v_1ᵀ). Every other tensor keeps its W_0 value. Exact SVD in fp64.
 */
public final class RankReconstruction {

    private RankReconstruction() {}

    /** k for Rank-p%: max(1, ⌊min(d_out, d_in)·p/100⌋). */
    public static int rankForPercent(long rows, long cols, double percent) {
        return (int) Math.max(1, Math.floor(Math.min(rows, cols) * percent / 100));
    }

    /**
     * @param percent null for rank 1, else the Rank-p% rule
     * @return new arrays on {@code out}, by name in W_0's order
     */
    public static Map<String, NDArray> build(
            Map<String, NDArray> w0, Map<String, NDArray> wT, List<String> matrices, Double percent, NDManager out) {
        Map<String, NDArray> result = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : w0.entrySet()) {
            NDArray base = e.getValue();
            NDArray w;
            if (matrices.contains(e.getKey())) {
                NDArray last = wT.get(e.getKey());
                w = StepScope.run(out, scope -> {
                    NDArray b = scope.own(base.toType(DataType.FLOAT64, true));
                    NDArray delta =
                            scope.own(last.toType(DataType.FLOAT64, true)).sub(b);
                    long rows = delta.getShape().get(0);
                    long cols = delta.getShape().get(1);
                    int k = percent == null ? 1 : rankForPercent(rows, cols, percent);
                    TorchOps.Svd svd = TorchOps.of(delta).svd(delta);
                    double[] s = svd.s().toDoubleArray();
                    double all = 0;
                    double kept = 0;
                    for (int i = 0; i < s.length; i++) {
                        all += s[i] * s[i];
                        kept += i < k ? s[i] * s[i] : 0;
                    }
                    NDArray sum = b;
                    if (kept > 0) {
                        double alpha = Math.sqrt(all / kept);
                        NDArray uk = svd.u().get(":, 0:" + k);
                        NDArray sk = svd.s().get("0:" + k).mul(alpha).reshape(1, k);
                        NDArray vtk = svd.vt().get("0:" + k + ", :");
                        sum = b.add(uk.mul(sk).matMul(vtk));
                    }
                    NDArray r = sum.toType(base.getDataType(), true);
                    r.attach(out);
                    return r;
                });
            } else {
                w = base.duplicate();
                w.attach(out);
            }
            result.put(e.getKey(), w);
        }
        return result;
    }
}
