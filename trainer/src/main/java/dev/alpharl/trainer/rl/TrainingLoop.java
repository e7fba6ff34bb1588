package dev.alpharl.trainer.rl;

import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.metrics.StepRecord;
import dev.alpharl.trainer.metrics.TrainingMetrics;
import dev.alpharl.trainer.model.QwenModel;
import java.nio.file.Path;

/** What a {@link TrainingCallback} may ask of the loop that calls it. */
public interface TrainingLoop {

    /** The last finished step (0 before the first). */
    long step();

    /** The live policy. */
    QwenModel policy();

    /** The run directory. */
    Path runDir();

    /** Whether a stop was requested (a signal): the current step is the last, and it should be checkpointed. */
    boolean stopRequested();

    /** Writes a checkpoint of the current step (once per step: a second call in the same step does nothing). */
    void saveCheckpoint();

    /** Hands a metrics line to every callback's {@link TrainingCallback#onRecord} (step 0's evaluation line). */
    void emit(StepRecord record);

    /** Evaluates a model of the run's precision and device, timed as the step's evaluation. */
    EvalResult evaluate(Evaluator with, QwenModel model);

    /** The run's metrics registry. */
    TrainingMetrics metrics();
}
