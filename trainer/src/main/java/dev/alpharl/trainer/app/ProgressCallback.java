package dev.alpharl.trainer.app;

import dev.alpharl.trainer.metrics.EtaEstimator;
import dev.alpharl.trainer.metrics.ProgressLine;
import dev.alpharl.trainer.metrics.StepRecord;
import dev.alpharl.trainer.rl.RunStart;
import dev.alpharl.trainer.rl.TrainingCallback;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** The console progress line: every {@code metrics.log-every} steps and on every evaluation, with an ETA. */
final class ProgressCallback implements TrainingCallback {

    private static final Logger LOG = LogManager.getLogger(ProgressCallback.class);

    private final EtaEstimator eta;
    private final int logEvery;
    private double lastTime = Double.NaN;

    ProgressCallback(long totalSteps, int logEvery) {
        this.eta = new EtaEstimator(totalSteps);
        this.logEvery = logEvery;
    }

    @Override
    public void onStart(RunStart start) {
        lastTime = Double.NaN;
    }

    @Override
    public void onRecord(StepRecord record) {
        if (record.step() == 0) {
            return;
        }
        double time = record.timeSeconds();
        if (!Double.isNaN(lastTime)) {
            eta.observe(time - lastTime);
        }
        lastTime = time;
        if (record.step() % logEvery == 0 || record.isEvalStep()) {
            LOG.info(ProgressLine.format(record, eta));
        }
    }
}
