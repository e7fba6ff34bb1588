package dev.alpharl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.trainer.eval.EvalResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @TempDir
    Path dir;

    private MetricsLog read(String text) throws IOException {
        return MetricsLog.read(Files.writeString(dir.resolve("metrics.jsonl"), text));
    }

    @Test
    void readsTheContractKeysWithNullAsNaN() throws IOException {
        MetricsLog log = read("""
                {"step": 0, "time_s": 0.0, "eval/accuracy": 0.25, "eval/n": 400}
                {"step": 1, "time_s": 12.5, "reward/mean": null, "tokens/total": 2048, "kl": 0.01}
                {"step": 2, "time_s": 25.0, "reward/mean": 0.5, "tokens/total": 4096}
                """);
        assertThat(log.lines())
                .containsExactly(
                        new MetricsLine(0, 0.0, Double.NaN, Double.NaN, 0.25, 400),
                        new MetricsLine(1, 12.5, Double.NaN, 2048, Double.NaN, 0),
                        new MetricsLine(2, 25.0, 0.5, 4096, Double.NaN, 0));
        assertThat(log.warnings()).isEmpty();
        assertThat(log.stepZeroEval()).contains(EvalResult.ofAccuracy(0.25, 400));
        assertThat(log.lastEval()).map(MetricsLine::step).contains(0);
        assertThat(log.atOrBefore(1)).map(MetricsLine::timeS).contains(12.5);
    }

    @Test
    void ignoresATornLastLineWithAWarning() throws IOException {
        MetricsLog log = read("{\"step\": 1, \"time_s\": 1.0}\n{\"step\": 2, \"time_s\": 2.0}\n{\"step\": 3, \"ti");
        assertThat(log.lines()).extracting(MetricsLine::step).containsExactly(1, 2);
        assertThat(log.warnings()).singleElement().asString().contains("metrics.jsonl:3", "torn last line");
    }

    @Test
    void aMalformedLineBeforeTheLastIsAnErrorNamingTheLine() {
        assertThatThrownBy(() -> read("{\"step\": 1, \"time_s\": 1.0}\n{\"step\": 2, \n{\"step\": 3, \"time_s\": 3}\n"))
                .isInstanceOf(RunDirectoryException.class)
                .hasMessageContaining("metrics.jsonl:2: not a JSON object");
    }

    @Test
    void badValuesNameTheLineAndKey() {
        assertThatThrownBy(() -> read("{\"step\": 1.5, \"time_s\": 1.0}\n{\"step\": 2, \"time_s\": 1.0}\n"))
                .hasMessageContaining("metrics.jsonl:1: step must be an integer, got 1.5");
        assertThatThrownBy(() -> read("{\"step\": 1}\n{\"step\": 2, \"time_s\": 1.0}\n"))
                .hasMessageContaining("metrics.jsonl:1: missing key time_s");
        assertThatThrownBy(() ->
                        read("{\"step\": 1, \"time_s\": 1, \"eval/accuracy\": 0.5}\n{\"step\": 2, \"time_s\": 1}"))
                .hasMessageContaining("metrics.jsonl:1: eval/accuracy without eval/n");
        assertThatThrownBy(() -> read("{\"step\": 1, \"time_s\": \"soon\"}\n{\"step\": 2, \"time_s\": 1}"))
                .hasMessageContaining("metrics.jsonl:1: time_s must be a number or null");
    }

    @Test
    void aResumeDropsTheSupersededLines() throws IOException {
        MetricsLog log = read("""
                {"step": 1, "time_s": 10, "reward/mean": 0.1}
                {"step": 2, "time_s": 20, "reward/mean": 0.2}
                {"step": 3, "time_s": 30, "reward/mean": 0.3}
                {"step": 2, "time_s": 45, "reward/mean": 0.25}
                {"step": 3, "time_s": 55, "reward/mean": 0.35}
                """);
        assertThat(log.lines()).extracting(MetricsLine::step).containsExactly(1, 2, 3);
        assertThat(log.lines()).extracting(MetricsLine::timeS).containsExactly(10.0, 45.0, 55.0);
        assertThat(log.warnings()).singleElement().asString().contains("metrics.jsonl:4", "dropped the 2");
    }

    @Test
    void linesOfTheSameStepAreMerged() throws IOException {
        MetricsLog log = read("""
                {"step": 5, "time_s": 50, "reward/mean": 0.4, "tokens/total": 500}
                {"step": 5, "time_s": 58, "eval/accuracy": 0.7, "eval/n": 100}
                """);
        assertThat(log.lines()).containsExactly(new MetricsLine(5, 58, 0.4, 500, 0.7, 100));
    }

    @Test
    void aMissingOrEmptyFileIsAnErrorNamingIt() throws IOException {
        assertThatThrownBy(() -> MetricsLog.read(dir.resolve("nope.jsonl")))
                .isInstanceOf(RunDirectoryException.class)
                .hasMessageContaining("nope.jsonl: no such file");
        assertThatThrownBy(() -> read("\n\n")).hasMessageContaining("metrics.jsonl: no metrics lines");
    }
}
