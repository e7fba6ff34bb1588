package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.tensor.StepScope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds AlphaRL's predicted weights from the rank-1 predictions (ALPHARL.md §6), computed in fp64 and stored in
 * each base tensor's dtype:
 * <ul>
 *   <li>{@code replace} (C, default): W_k + (â − a_k)·v_kᵀ — the rank-1 component is replaced by its prediction;</li>
 *   <li>{@code add} (A, released code): W_k + â·v_kᵀ;</li>
 *   <li>{@code base} (B, old code): W_0 + â·v_kᵀ.</li>
 * </ul>
 * Matrices without a prediction (excluded or flagged) and all other tensors come from the variant's base: W_k for
 * replace/add, W_0 for base. The result is a new map of new arrays on {@code out}; inputs are never modified.
 */
public final class Assembly {

    private Assembly() {}

    public static Map<String, NDArray> assemble(
            AlphaRlConfig.Assembly variant,
            Map<String, NDArray> w0,
            Map<String, NDArray> wk,
            Map<String, RankOneUpdate> updates,
            NDManager out) {
        Map<String, NDArray> source = variant == AlphaRlConfig.Assembly.BASE ? w0 : wk;
        Map<String, NDArray> result = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : source.entrySet()) {
            NDArray base = e.getValue();
            RankOneUpdate update = updates.get(e.getKey());
            NDArray w;
            if (update == null) {
                w = base.duplicate();
            } else {
                double[] c = variant == AlphaRlConfig.Assembly.REPLACE
                        ? Vectors.difference(update.predicted(), update.lastA())
                        : update.predicted();
                w = plusOuter(base, c, update.lastV(), e.getKey());
            }
            w.attach(out);
            result.put(e.getKey(), w);
        }
        for (String name : updates.keySet()) {
            if (!source.containsKey(name)) {
                throw new IllegalArgumentException("prediction for unknown tensor '" + name + "'");
            }
        }
        return result;
    }

    /** base + c·vᵀ computed in fp64, returned in base's dtype on an independent manager (caller attaches it). */
    private static NDArray plusOuter(NDArray base, double[] c, double[] v, String name) {
        Shape shape = base.getShape();
        if (shape.dimension() != 2 || shape.get(0) != c.length || shape.get(1) != v.length) {
            throw new IllegalArgumentException("rank-1 update of '" + name + "' has shape [" + c.length + ", "
                    + v.length + "], the tensor has " + shape);
        }
        NDManager m = base.getManager();
        try (StepScope scope = StepScope.open(m)) {
            NDManager s = scope.manager();
            NDArray outer = s.create(c, new Shape(c.length, 1)).matMul(s.create(v, new Shape(1, v.length)));
            NDArray sum = outer.add(scope.own(base.toType(DataType.FLOAT64, true)));
            NDArray result = sum.toType(base.getDataType(), true);
            result.attach(m);
            return result;
        }
    }
}
