package dev.alpharl.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.alpharl.trainer.checkpoint.Checkpointable;
import dev.alpharl.trainer.checkpoint.StateReader;
import dev.alpharl.trainer.checkpoint.StateWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with PyTorch's semantics ({@code torch.optim.AdamW}, amsgrad off), updating weights in place. For step t
 * (1-based), gradient g, learning rate lr and the group's weight decay λ:
 * <pre>
 *   w ← w · (1 − lr·λ)                                  decoupled weight decay
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   w ← w − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
 * </pre>
 * The moments live on the optimizer's own long-lived manager; every temporary lives in the caller's step manager.
 * Gradients are zeroed after the update (DJL accumulates them across backward calls). Call it on the training
 * thread, outside a gradient collector.
 */
public final class AdamW implements AutoCloseable, Checkpointable {

    private final List<ParamGroup> groups;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final NDManager stateManager;
    private final Map<String, NDArray> firstMoments = new HashMap<>();
    private final Map<String, NDArray> secondMoments = new HashMap<>();
    private long steps;

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps, NDManager parent) {
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0) {
            throw new IllegalArgumentException(
                    "AdamW needs 0 <= betas < 1 and eps > 0, got betas=(" + beta1 + ", " + beta2 + ") eps=" + eps);
        }
        this.groups = List.copyOf(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.stateManager = parent.newSubManager();
        for (ParamGroup group : groups) {
            for (Map.Entry<String, NDArray> p : group.params().entrySet()) {
                if (firstMoments.containsKey(p.getKey())) {
                    throw new IllegalArgumentException("parameter '" + p.getKey() + "' appears in two groups");
                }
                firstMoments.put(
                        p.getKey(),
                        stateManager.zeros(p.getValue().getShape(), p.getValue().getDataType()));
                secondMoments.put(
                        p.getKey(),
                        stateManager.zeros(p.getValue().getShape(), p.getValue().getDataType()));
            }
        }
    }

    /** The number of updates applied so far (t of the last update). */
    public long steps() {
        return steps;
    }

    /** Every trainable array, in group order. */
    public List<NDArray> weights() {
        List<NDArray> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.params().values()));
        return all;
    }

    /** Applies one update with learning rate {@code lr} from the current gradients, then zeroes them. */
    public void step(double lr, NDManager step) {
        steps++;
        double bc1 = 1.0 - Math.pow(beta1, steps);
        double sqrtBc2 = Math.sqrt(1.0 - Math.pow(beta2, steps));
        try (NDManager tmp = step.newSubManager()) {
            for (ParamGroup group : groups) {
                for (Map.Entry<String, NDArray> p : group.params().entrySet()) {
                    NDArray w = p.getValue();
                    if (!w.hasGradient()) {
                        continue;
                    }
                    NDArray g = w.getGradient();
                    g.attach(tmp);
                    NDArray m = firstMoments.get(p.getKey());
                    NDArray v = secondMoments.get(p.getKey());
                    m.muli((float) beta1).addi(g.mul((float) (1.0 - beta1)));
                    v.muli((float) beta2).addi(g.square().muli((float) (1.0 - beta2)));
                    if (group.weightDecay() != 0.0) {
                        w.muli((float) (1.0 - lr * group.weightDecay()));
                    }
                    NDArray denom = v.sqrt(); // lands on the state manager: move it
                    denom.attach(tmp);
                    denom.divi((float) sqrtBc2).addi((float) eps);
                    NDArray update = m.div(denom);
                    update.attach(tmp);
                    w.subi(update.muli((float) (lr / bc1)));
                    JniUtils.zeroGrad((PtNDArray) w);
                }
            }
        }
    }

    /** Zeroes every gradient without updating (used when a step is skipped). */
    public void zeroGradients() {
        for (NDArray w : weights()) {
            if (w.hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) w);
            }
        }
    }

    /** The moments by parameter name ("m." / "v." prefixes), for checkpoints; arrays stay owned by the optimizer. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        firstMoments.forEach((n, a) -> state.put("m." + n, a));
        secondMoments.forEach((n, a) -> state.put("v." + n, a));
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
