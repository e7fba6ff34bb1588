package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.model.LoraAdapters;
import dev.alpharl.trainer.model.LoraSpec;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.tensor.StepScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AlphaRL's predicted model as a LoRA adapter (ALPHARL.md §13), for a policy trained through adapters: the
 * prediction {@link Assembly} writes into full matrices, written instead as an adapter over the frozen base W_0.
 * With the window's last adapter ΔW_k = s·B·A of a module and its rank-1 prediction c·v_kᵀ (c = â − a_k for
 * {@code replace}, â for {@code add} and {@code base}):
 * <pre>
 *   replace, add:  B' = [s·B | c],  A' = [A ; v_kᵀ],  rank r + 1:  W_0 + B'·A' = W_k + c·v_kᵀ
 *   base:          B' = c,          A' = v_kᵀ,        rank 1:      W_0 + B'·A' = W_0 + c·v_kᵀ
 * </pre>
 * with lora_alpha = rank (scaling 1, the scale folded into B'). A module without a prediction gets c = 0, v = 0,
 * so it keeps its variant's base (W_k or W_0) as in {@link Assembly}. The spec names every adapted module in full
 * and gives the modules whose rank differs from r' their own rank and alpha (rank_pattern, alpha_pattern keyed by
 * the escaped full name), so PEFT reads the same adapter.
 */
public final class AdapterAssembly {

    private static final String WEIGHT_SUFFIX = ".weight";

    private AdapterAssembly() {}

    /**
     * The predicted adapter (fp32, on a manager of its own under {@code out}); {@code last} and {@code updates}
     * (keyed by weight name, {@code <module>.weight}) are only read.
     */
    public static LoraAdapters assemble(
            AlphaRlConfig.Assembly variant,
            LoraAdapters last,
            Map<String, RankOneUpdate> updates,
            QwenConfig config,
            NDManager out) {
        for (String name : updates.keySet()) {
            String module =
                    name.endsWith(WEIGHT_SUFFIX) ? name.substring(0, name.length() - WEIGHT_SUFFIX.length()) : name;
            if (!last.adapts(module)) {
                throw new IllegalArgumentException("prediction for '" + name + "', which carries no adapter");
            }
        }
        boolean keepsAdapter = variant != AlphaRlConfig.Assembly.BASE;
        LoraSpec spec = predictedSpec(last, keepsAdapter);
        Map<String, NDArray> lastTensors = last.tensors();
        try (NDManager staging = out.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (LoraSpec.Module m : last.modules().values()) {
                RankOneUpdate update = updates.get(m.name() + WEIGHT_SUFFIX);
                double[] c = update == null
                        ? new double[Math.toIntExact(m.out())]
                        : variant == AlphaRlConfig.Assembly.REPLACE
                                ? difference(update.predicted(), update.lastA())
                                : update.predicted();
                double[] v = update == null ? new double[Math.toIntExact(m.in())] : update.lastV();
                StepScope.run(staging, scope -> {
                    NDManager s = scope.manager();
                    NDArray column = s.create(c, new Shape(c.length, 1));
                    NDArray row = s.create(v, new Shape(1, v.length));
                    NDArray b = column;
                    NDArray a = row;
                    if (keepsAdapter) {
                        NDArray lastB = scope.own(
                                lastTensors.get(LoraAdapters.nameOfB(m.name())).toType(DataType.FLOAT64, true));
                        NDArray lastA = scope.own(
                                lastTensors.get(LoraAdapters.nameOfA(m.name())).toType(DataType.FLOAT64, true));
                        b = lastB.mul(Constant.like(lastB, m.scaling())).concat(column, 1);
                        a = lastA.concat(row, 0);
                    }
                    NDArray b32 = b.toType(DataType.FLOAT32, true);
                    NDArray a32 = a.toType(DataType.FLOAT32, true);
                    b32.attach(staging);
                    a32.attach(staging);
                    tensors.put(LoraAdapters.nameOfA(m.name()), a32);
                    tensors.put(LoraAdapters.nameOfB(m.name()), b32);
                    return null;
                });
            }
            return LoraAdapters.of(spec, config, tensors, last.seed(), DataType.FLOAT32, out);
        }
    }

    /**
     * The predicted adapter's spec: the adapted modules by full name, rank r + 1 (or 1 for {@code base}) with alpha
     * equal to the rank, per-module entries where a module's rank differs.
     */
    static LoraSpec predictedSpec(LoraAdapters last, boolean keepsAdapter) {
        LoraSpec old = last.spec();
        int r = keepsAdapter ? old.r() + 1 : 1;
        Map<String, Integer> ranks = new LinkedHashMap<>();
        Map<String, Double> alphas = new LinkedHashMap<>();
        List<String> targets = new ArrayList<>();
        for (LoraSpec.Module m : last.modules().values()) {
            targets.add(m.name());
            int rank = keepsAdapter ? m.rank() + 1 : 1;
            if (rank != r) {
                String key = escaped(m.name());
                ranks.put(key, rank);
                alphas.put(key, (double) rank);
            }
        }
        return new LoraSpec(r, r, old.dropout(), targets, null, null, null, false, ranks, alphas);
    }

    /** A module name as a regex that matches only itself (PEFT's pattern keys are regexes; '.' is any char). */
    private static String escaped(String module) {
        return module.replace(".", "\\.");
    }

    private static double[] difference(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] - b[i];
        }
        return r;
    }
}
