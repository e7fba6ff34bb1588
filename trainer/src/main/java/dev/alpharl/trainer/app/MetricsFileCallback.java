package dev.alpharl.trainer.app;

import dev.alpharl.trainer.metrics.MetricsJsonl;
import dev.alpharl.trainer.metrics.StepRecord;
import dev.alpharl.trainer.rl.RunStart;
import dev.alpharl.trainer.rl.TrainingCallback;
import dev.alpharl.trainer.rl.TrainingLoop;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes {@code metrics.jsonl} (one line per record, flushed) and feeds each step's line to the metrics registry
 * (Prometheus). A resumed run drops the lines after its checkpoint's step first, so the file reads as one run.
 */
final class MetricsFileCallback implements TrainingCallback {

    private MetricsJsonl sink;
    private TrainingLoop loop;

    @Override
    public void onStart(RunStart start) throws IOException {
        loop = start.loop();
        Path file = loop.runDir().resolve("metrics.jsonl");
        sink = start.resumed() ? MetricsJsonl.resume(file, start.step()) : MetricsJsonl.create(file);
    }

    @Override
    public void onRecord(StepRecord record) throws IOException {
        sink.append(record);
        if (record.step() > 0) {
            loop.metrics().observe(record);
        }
    }

    @Override
    public void close() {
        if (sink != null) {
            try {
                sink.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
