package dev.alpharl.trainer.rl;

import dev.alpharl.trainer.checkpoint.Checkpointable;
import dev.alpharl.trainer.checkpoint.StateReader;
import dev.alpharl.trainer.checkpoint.StateWriter;
import dev.alpharl.trainer.metrics.Phase;
import dev.alpharl.trainer.metrics.StepRecord;
import java.io.IOException;

/**
 * What the RL loop tells the parts wired around it — evaluation, the metrics file, the progress line, checkpoints,
 * AlphaRL — and what it lets them do. The loop calls every registered callback in registration order at each event;
 * a callback drives the loop only by asking it to stop, by writing weights into the policy, or through
 * {@link TrainingLoop}. Callbacks with state save and restore it with the checkpoint ({@link Checkpointable}), so a
 * resumed run behaves as an uninterrupted one.
 */
public interface TrainingCallback extends Checkpointable, AutoCloseable {

    /** The run starts: fresh at step 0, or resumed after a checkpoint's state was restored. */
    default void onStart(RunStart start) throws IOException {}

    /** After each step's update; returns true when training should stop now. */
    default boolean afterStep(StepEnd end) {
        return false;
    }

    /** A finished metrics line: step 0's evaluation (when there is one), then one per step, in order. */
    default void onRecord(StepRecord record) throws IOException {}

    /** The run finished (not stopped on request): add this callback's entries to {@code summary.json}. */
    default void onEnd(RunEnd end) throws IOException {}

    /** The phase whose timing {@link #afterStep} is reported under (null: not timed by the loop). */
    default Phase phase() {
        return null;
    }

    /** A callback without state (override the three methods for one with state). */
    @Override
    default String stateKey() {
        return null;
    }

    @Override
    default void saveState(StateWriter out) throws IOException {}

    /** Restores what {@link #saveState} wrote (called before {@link #onStart} when a run resumes). */
    @Override
    default void restoreState(StateReader in) throws IOException {}

    @Override
    default void close() {}
}
