package dev.alpharl.trainer.app;

import dev.alpharl.trainer.metrics.StepRecord;
import dev.alpharl.trainer.rl.RunStart;
import dev.alpharl.trainer.rl.TrainingCallback;
import dev.alpharl.trainer.rl.TrainingLoop;

/**
 * Checkpoints every {@code trainer.save-every} steps and at a step after which a stop was requested, once the step's
 * metrics line is written (registered after the metrics file, so a checkpoint never lacks its step's line).
 */
final class CheckpointCallback implements TrainingCallback {

    private final int saveEvery;
    private TrainingLoop loop;

    CheckpointCallback(int saveEvery) {
        this.saveEvery = saveEvery;
    }

    @Override
    public void onStart(RunStart start) {
        loop = start.loop();
    }

    @Override
    public void onRecord(StepRecord record) {
        boolean due = saveEvery > 0 && record.step() % saveEvery == 0;
        if (record.step() > 0 && (due || loop.stopRequested())) {
            loop.saveCheckpoint();
        }
    }
}
