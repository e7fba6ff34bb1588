package dev.alpharl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.trainer.eval.EvalResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
    @TempDir
    Path root;

    @Test
    void readsTheSummaryAndLabelsAnAcceleratedRun() throws IOException {
        RunDirectory run = RunDirectory.load(RunFixtures.accelerated(root));
        assertThat(run.summary())
                .isEqualTo(new RunSummary(
                        40,
                        400.0,
                        OptionalLong.of(40_000),
                        Optional.of(EvalResult.ofAccuracy(0.30, 500)),
                        Optional.of(EvalResult.ofAccuracy(0.60, 500)),
                        Optional.of(new AlphaRlInfo("relex", 40, 200)),
                        true));
        assertThat(run.label()).isEqualTo("relex-40 (relex, window 40)");
        assertThat(run.warnings()).isEmpty();
    }

    @Test
    void withoutSummaryTheTotalsComeFromTheLastMetricsLines() throws IOException {
        Path dir = RunFixtures.metrics(root.resolve("killed"), 30, 2.0, 10, 0.5);
        Files.writeString(
                dir.resolve(RunDirectory.METRICS),
                "{\"step\": 31, \"time_s\": 62.0, \"reward/mean\": 0.4, "
                        + "\"tokens/total\": 31000}\n{\"step\": 32, \"time",
                StandardOpenOption.APPEND);
        RunDirectory run = RunDirectory.load(dir);
        RunSummary summary = run.summary();
        assertThat(summary.fromSummaryFile()).isFalse();
        assertThat(summary.steps()).isEqualTo(31);
        assertThat(summary.wallTimeS()).isEqualTo(62.0);
        assertThat(summary.tokens()).hasValue(31_000);
        assertThat(summary.finalEval()).contains(EvalResult.ofAccuracy(0.5, 500)); // the eval line at step 30
        assertThat(summary.baseEval()).contains(EvalResult.ofAccuracy(0.30, 500)); // the eval line at step 0
        assertThat(summary.alphaRl()).isEmpty();
        assertThat(run.label()).isEqualTo("killed");
        assertThat(run.warnings()).hasSize(2);
        assertThat(run.warnings().get(0)).contains("torn last line");
        assertThat(run.warnings().get(1)).contains("summary.json is missing", "step 31");
    }

    @Test
    void aNullBaseEvalInTheSummaryFallsBackToTheStepZeroLine() throws IOException {
        Path dir = RunFixtures.metrics(root.resolve("r"), 10, 1.0, 5, 0.4);
        RunFixtures.summary(dir, 10, 10.0, 10_000, "null", "{\"accuracy\": 0.41, \"n\": 500}", "null");
        RunSummary summary = RunDirectory.load(dir).summary();
        assertThat(summary.baseEval()).contains(EvalResult.ofAccuracy(0.30, 500));
        assertThat(summary.finalEval()).contains(EvalResult.ofAccuracy(0.41, 500));
    }

    @Test
    void badSummariesNameTheFileAndKey() throws IOException {
        Path dir = RunFixtures.metrics(root.resolve("r"), 5, 1.0, 5, 0.4);
        Files.writeString(dir.resolve(RunDirectory.SUMMARY), "{\"wall_time_s\": 1.0}");
        assertThatThrownBy(() -> RunDirectory.load(dir))
                .isInstanceOf(RunDirectoryException.class)
                .hasMessageContaining("summary.json: missing key steps");
        RunFixtures.summary(dir, 5, 5.0, 5, "null", "{\"accuracy\": 1.5, \"n\": 500}", "null");
        assertThatThrownBy(() -> RunDirectory.load(dir)).hasMessageContaining("summary.json: final_eval must have");
        RunFixtures.summary(dir, 5, 5.0, 5, "null", "null", "{\"method\": \"relex\"}");
        assertThatThrownBy(() -> RunDirectory.load(dir)).hasMessageContaining("alpharl: missing key window");
        Files.writeString(dir.resolve(RunDirectory.SUMMARY), "{\"steps\": 5,");
        assertThatThrownBy(() -> RunDirectory.load(dir)).hasMessageContaining("summary.json: not valid JSON");
    }

    @Test
    void aMissingDirectoryOrMetricsFileIsAnErrorNamingThePath() throws IOException {
        Path missing = root.resolve("no-such-run");
        assertThatThrownBy(() -> RunDirectory.load(missing))
                .isInstanceOf(RunDirectoryException.class)
                .hasMessageStartingWith(missing + ": no such directory");
        Path empty = Files.createDirectory(root.resolve("empty"));
        assertThatThrownBy(() -> RunDirectory.load(empty))
                .hasMessageStartingWith(empty.resolve("metrics.jsonl") + ": no such file");
    }
}
