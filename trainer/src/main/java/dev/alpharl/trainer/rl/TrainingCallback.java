package dev.alpharl.trainer.rl;

import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.checkpoint.Checkpointable;
import dev.alpharl.trainer.checkpoint.StateReader;
import dev.alpharl.trainer.checkpoint.StateWriter;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.model.QwenModel;
import java.io.IOException;
import java.util.Map;

/**
 * What the RL loop tells the parts wired around it (AlphaRL today), and what it asks of them. The loop calls every
 * registered callback in order; a callback never drives the loop except by asking it to stop. Callbacks that keep
 * state across steps save and restore it with the checkpoint, so a resumed run behaves as an uninterrupted one.
 */
public interface TrainingCallback extends Checkpointable, AutoCloseable {

    /**
     * One finished step.
     *
     * @param step       the step just finished (1-based)
     * @param policy     the live policy after the step's update; a callback may write new weights into it
     * @param rewardMean the step's mean rollout reward
     * @param eval       the step's held-out evaluation, or null when the step did not evaluate
     * @param scratch    a manager closed when the callbacks of this step return
     */
    record StepEnd(long step, QwenModel policy, double rewardMean, EvalResult eval, NDManager scratch) {}

    /** Called after each step's update and evaluation; returns true when training should stop now. */
    default boolean afterStep(StepEnd end) {
        return false;
    }

    /** A callback without state (override all three for one with state). */
    @Override
    default String stateKey() {
        return null;
    }

    @Override
    default void saveState(StateWriter out) throws IOException {}

    /** Restores what {@link #saveState} wrote (called when a run resumes from a checkpoint). */
    @Override
    default void restoreState(StateReader in) throws IOException {}

    /** The key of this callback's entries in {@code summary.json}, or null when it adds none. */
    default String summaryKey() {
        return null;
    }

    /** Entries for {@code summary.json} under {@link #summaryKey()}. */
    default Map<String, Object> summary() {
        return null;
    }

    /**
     * The evaluation of the run's final model when this callback produced that model (AlphaRL's predicted weights
     * when the run stops at the jump), or null.
     */
    default EvalResult finalEvaluation() {
        return null;
    }

    @Override
    default void close() {}
}
