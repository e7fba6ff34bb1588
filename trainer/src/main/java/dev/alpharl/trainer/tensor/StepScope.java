package dev.alpharl.trainer.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDResource;
import java.util.function.Function;

/**
 * The arrays of one step (a training update, a rollout batch, an evaluation batch): everything created through
 * {@link #manager()} or handed to {@link #own} is freed when the scope closes, so nothing per-step accumulates on
 * a long-lived manager and resident memory stays flat over long runs (DJL.md §5).
 *
 * <p>Two DJL traps are closed here rather than at every call site: {@code getGradient()} returns a new wrapper
 * attached to the parameter's manager on every call ({@link #gradient}), and an op's result belongs to the manager
 * of its first operand, so results computed from parameters or optimizer state must be {@link #own owned}.
 */
public final class StepScope implements AutoCloseable {

    private final NDManager manager;

    private StepScope(NDManager manager) {
        this.manager = manager;
    }

    /** Opens a scope whose arrays live in a fresh sub-manager of {@code parent}. */
    public static StepScope open(NDManager parent) {
        return new StepScope(parent.newSubManager());
    }

    /** Runs {@code body} in a fresh scope and closes it; the body returns plain Java values, not arrays. */
    public static <T> T run(NDManager parent, Function<StepScope, T> body) {
        try (StepScope scope = open(parent)) {
            return body.apply(scope);
        }
    }

    /** The manager for this step's arrays. */
    public NDManager manager() {
        return manager;
    }

    /** The gradient of a trainable array, as a view owned by this step (it shares the real {@code .grad} storage). */
    public NDArray gradient(NDArray parameter) {
        NDArray g = parameter.getGradient();
        g.attach(manager);
        return g;
    }

    /** Moves {@code resource} (e.g. a result computed from parameters) into this step, to be freed with it. */
    public <T extends NDResource> T own(T resource) {
        resource.attach(manager);
        return resource;
    }

    @Override
    public void close() {
        manager.close();
    }
}
