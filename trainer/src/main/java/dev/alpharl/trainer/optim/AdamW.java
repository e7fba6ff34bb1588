package dev.alpharl.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.checkpoint.Checkpointable;
import dev.alpharl.trainer.checkpoint.StateReader;
import dev.alpharl.trainer.checkpoint.StateWriter;
import dev.alpharl.trainer.tensor.TorchOps;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * AdamW with PyTorch's semantics ({@code torch.optim.AdamW}, amsgrad off), updating weights in place. For step t
 * (1-based), gradient g, learning rate lr and the group's weight decay λ:
 * <pre>
 *   w ← w · (1 − lr·λ)                                  decoupled weight decay
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   w ← w − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
 * </pre>
 * The update is libtorch's fused kernel (PyTorch's {@code AdamW(fused=True)}): one native call per step, one pass
 * over weights, gradients and moments, no temporaries ({@link TorchOps#adamwStep}; DJL.md §8). Parameters without
 * a gradient are skipped. The moments live on the optimizer's own long-lived manager. Gradients are zeroed after
 * the update (DJL accumulates them across backward calls). Call it on the training thread, outside a gradient
 * collector.
 */
public final class AdamW implements AutoCloseable, Checkpointable {

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final NDManager stateManager;
    /** Parameters and their moments as parallel lists in group order, the layout the fused kernel takes. */
    private final List<NDArray> params = new ArrayList<>();

    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private final long[] groupSizes;
    private final double[] weightDecays;
    /** The moments by checkpoint name ("m." / "v." + parameter name). */
    private final Map<String, NDArray> state = new LinkedHashMap<>();

    private long steps;

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps, NDManager parent) {
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0) {
            throw new IllegalArgumentException(
                    "AdamW needs 0 <= betas < 1 and eps > 0, got betas=(" + beta1 + ", " + beta2 + ") eps=" + eps);
        }
        TorchRuntime.init();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.stateManager = parent.newSubManager();
        this.groupSizes = new long[groups.size()];
        this.weightDecays = new double[groups.size()];
        Set<String> names = new HashSet<>();
        Map<String, NDArray> secondByName = new LinkedHashMap<>();
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup group = groups.get(i);
            groupSizes[i] = group.params().size();
            weightDecays[i] = group.weightDecay();
            for (Map.Entry<String, NDArray> p : group.params().entrySet()) {
                if (!names.add(p.getKey())) {
                    throw new IllegalArgumentException("parameter '" + p.getKey() + "' appears in two groups");
                }
                NDArray w = p.getValue();
                NDArray m = stateManager.zeros(w.getShape(), w.getDataType());
                NDArray v = stateManager.zeros(w.getShape(), w.getDataType());
                params.add(w);
                firstMoments.add(m);
                secondMoments.add(v);
                state.put("m." + p.getKey(), m);
                secondByName.put("v." + p.getKey(), v);
            }
        }
        state.putAll(secondByName);
    }

    /** The number of updates applied so far (t of the last update). */
    public long steps() {
        return steps;
    }

    /** Every trainable array, in group order. */
    public List<NDArray> weights() {
        return Collections.unmodifiableList(params);
    }

    /** Applies one update with learning rate {@code lr} from the current gradients, then zeroes them. */
    public void step(double lr) {
        steps++;
        if (!params.isEmpty()) {
            TorchOps.of(params.get(0))
                    .adamwStep(
                            params,
                            firstMoments,
                            secondMoments,
                            groupSizes,
                            weightDecays,
                            steps,
                            lr,
                            beta1,
                            beta2,
                            eps);
        }
    }

    /** Zeroes every gradient without updating (used when a step is skipped). */
    public void zeroGradients() {
        if (!params.isEmpty()) {
            TorchOps.of(params.get(0)).zeroGradients(params);
        }
    }

    /** The moments by parameter name ("m." / "v." prefixes), for checkpoints; arrays stay owned by the optimizer. */
    public Map<String, NDArray> state() {
        return Collections.unmodifiableMap(state);
    }

    /** Restores moments and the step count saved from {@link #state()} and {@link #steps()}. */
    public void restore(Map<String, NDArray> state, long steps) {
        for (Map.Entry<String, NDArray> e : state().entrySet()) {
            NDArray saved = state.get(e.getKey());
            if (saved == null) {
                throw new IllegalArgumentException("optimizer state has no entry '" + e.getKey() + "'");
            }
            if (!saved.getShape().equals(e.getValue().getShape())) {
                throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' has shape " + saved.getShape()
                        + ", expected " + e.getValue().getShape());
            }
            e.getValue().set(saved.toByteBuffer());
        }
        this.steps = steps;
    }

    /** The optimizer's checkpoint entry: its step count and {@code optimizer.safetensors} (the moments). */
    @Override
    public String stateKey() {
        return "optimizer";
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        save(out, "");
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        restore(in, "");
    }

    /** The state record of an optimizer in a checkpoint. */
    public record Steps(long steps) {}

    /** Saves steps and moments through another part's writer (the moments as its {@code suffix} tensor group). */
    public void save(StateWriter out, String suffix) throws IOException {
        if (suffix.isEmpty()) {
            out.json(new Steps(steps));
        }
        out.tensors(suffix, state());
    }

    /** Restores what {@link #save(StateWriter, String)} wrote; {@code steps} from the reader's JSON when unsuffixed. */
    public void restore(StateReader in, String suffix) throws IOException {
        restore(in, suffix, suffix.isEmpty() ? in.json(Steps.class).steps() : steps);
    }

    /** Restores the moments of {@code suffix} with a step count the caller read. */
    public void restore(StateReader in, String suffix, long steps) {
        try (NDManager tmp = stateManager.newSubManager()) {
            restore(in.tensors(suffix, tmp), steps);
        }
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
