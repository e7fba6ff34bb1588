package dev.alpharl.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsJsonlTest {

    @TempDir
    Path dir;

    private static StepRecord step(long step, double reward) {
        return StepRecord.builder(step, step * 2.5)
                .rewardMean(reward)
                .rewardStd(0.5)
                .kl(0.001 * step)
                .lr(1e-4)
                .put("tokens/total", 100L * step)
                .build();
    }

    @Test
    void writesOneOrderedObjectPerStepWithJsonNumbers() throws IOException {
        Path file = dir.resolve("run/metrics.jsonl");
        try (MetricsJsonl sink = MetricsJsonl.create(file)) {
            sink.append(step(1, 0.25));
            sink.append(step(2, 0.75));
            sink.append(StepRecord.builder(3, 7.5)
                    .rewardMean(1)
                    .eval(0.5, 4)
                    .put("alpharl/jumped", true)
                    .build());
        }
        assertThat(Files.readString(file))
                .isEqualTo(
                        "{\"step\":1,\"time_s\":2.5,\"reward/mean\":0.25,\"reward/std\":0.5,\"kl\":0.001,\"lr\":1.0E-4,"
                                + "\"tokens/total\":100}\n"
                                + "{\"step\":2,\"time_s\":5.0,\"reward/mean\":0.75,\"reward/std\":0.5,\"kl\":0.002,\"lr\":1.0E-4,"
                                + "\"tokens/total\":200}\n"
                                + "{\"step\":3,\"time_s\":7.5,\"reward/mean\":1.0,\"eval/accuracy\":0.5,\"eval/n\":4,"
                                + "\"alpharl/jumped\":true}\n");
    }

    @Test
    void eachLineIsOnDiskAsSoonAsItIsAppended() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsJsonl sink = MetricsJsonl.create(file)) {
            sink.append(step(1, 0.25));
            // read by another reader while the sink is still open: nothing left in a buffer
            assertThat(MetricsJsonl.read(file)).hasSize(1);
            sink.append(step(2, 0.5));
            assertThat(Files.readAllLines(file)).hasSize(2);
        }
    }

    @Test
    void nonFiniteNumbersAreWrittenAsNullAndTheKeyIsKept() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsJsonl sink = MetricsJsonl.create(file)) {
            sink.append(StepRecord.builder(1, 1.0)
                    .policyLoss(Double.NaN)
                    .gradNorm(Double.POSITIVE_INFINITY)
                    .put("x", Float.NEGATIVE_INFINITY)
                    .put("y", 0.1f)
                    .kl(0)
                    .build());
        }
        assertThat(Files.readString(file))
                .isEqualTo(
                        "{\"step\":1,\"time_s\":1.0,\"loss/policy\":null,\"grad_norm\":null,\"x\":null,\"y\":0.1,\"kl\":0.0}\n");
        Map<String, Object> row = MetricsJsonl.read(file).get(0);
        assertThat(row)
                .containsEntry("loss/policy", null)
                .containsEntry("grad_norm", null)
                .containsEntry("y", 0.1)
                .containsEntry("kl", 0.0)
                .containsEntry("step", 1L);
        assertThat(row.keySet()).containsExactly("step", "time_s", "loss/policy", "grad_norm", "x", "y", "kl");
    }

    @Test
    void readRoundTripsTypesAndOrder() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsJsonl sink = MetricsJsonl.create(file)) {
            sink.append(StepRecord.builder(7, 3.25)
                    .put("b", 2)
                    .put("a", -1.5)
                    .skipped("non-finite grad")
                    .build());
        }
        List<Map<String, Object>> rows = MetricsJsonl.read(file);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).keySet()).containsExactly("step", "time_s", "b", "a", "skipped", "skip_reason");
        assertThat(rows.get(0).values()).containsExactly(7L, 3.25, 2L, -1.5, 1L, "non-finite grad");
    }

    @Test
    void stepsMustIncrease() throws IOException {
        try (MetricsJsonl sink = MetricsJsonl.create(dir.resolve("metrics.jsonl"))) {
            sink.append(step(5, 0));
            assertThatThrownBy(() -> sink.append(step(5, 0)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("step 5 written after step 5");
        }
    }

    @Test
    void createEmptiesTheFileOfAnEarlierRun() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":9,\"time_s\":1.0}\n");
        try (MetricsJsonl sink = MetricsJsonl.create(file)) {
            sink.append(step(1, 0));
        }
        assertThat(MetricsJsonl.read(file)).extracting(r -> r.get("step")).containsExactly(1L);
    }

    @Test
    void resumeDropsTheStepsAfterTheCheckpointSoEachStepIsWrittenOnce() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsJsonl sink = MetricsJsonl.create(file)) {
            for (int s = 1; s <= 5; s++) {
                sink.append(step(s, s / 10.0));
            }
        }
        List<String> before = Files.readAllLines(file);
        // killed after step 5, resumed from the checkpoint of step 3: steps 4 and 5 are recomputed
        try (MetricsJsonl sink = MetricsJsonl.resume(file, 3)) {
            assertThat(sink.lastStep()).isEqualTo(3);
            assertThat(Files.readAllLines(file)).isEqualTo(before.subList(0, 3));
            assertThatThrownBy(() -> sink.append(step(3, 0))).isInstanceOf(IllegalArgumentException.class);
            sink.append(step(4, 0.9));
            sink.append(step(5, 0.8));
        }
        List<Map<String, Object>> rows = MetricsJsonl.read(file);
        assertThat(rows).extracting(r -> r.get("step")).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(rows).extracting(r -> r.get("reward/mean")).containsExactly(0.1, 0.2, 0.3, 0.9, 0.8);
        assertThat(dir.resolve("metrics.jsonl.tmp")).doesNotExist();
    }

    @Test
    void truncateAfterOnAnOpenSinkKeepsAppendingAfterTheKeptLines() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsJsonl sink = MetricsJsonl.create(file)) {
            sink.append(step(1, 0.1));
            sink.append(step(2, 0.2));
            sink.truncateAfter(1);
            sink.append(step(2, 0.7));
        }
        assertThat(MetricsJsonl.read(file))
                .extracting(r -> r.get("reward/mean"))
                .containsExactly(0.1, 0.7);
    }

    @Test
    void resumeRemovesATornLastLineAndCreatesAMissingFile() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1,\"time_s\":1.0}\n{\"step\":2,\"time_s\":2.0}\n{\"step\":3,\"ti");
        try (MetricsJsonl sink = MetricsJsonl.resume(file, 2)) {
            sink.append(step(3, 0.5));
        }
        assertThat(Files.readAllLines(file)).hasSize(3);
        assertThat(MetricsJsonl.read(file)).extracting(r -> r.get("step")).containsExactly(1L, 2L, 3L);

        Path missing = dir.resolve("new/metrics.jsonl");
        try (MetricsJsonl sink = MetricsJsonl.resume(missing, 10)) {
            assertThat(sink.lastStep()).isEqualTo(-1);
        }
        assertThat(missing).exists().isEmptyFile();
    }

    @Test
    void readIgnoresATornLastLine() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1,\"time_s\":1.0,\"kl\":null}\n{\"step\":2,\"time_s\":2.0,\"reward/me");
        List<Map<String, Object>> rows = MetricsJsonl.read(file);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)).containsEntry("step", 1L).containsEntry("kl", null);
    }

    @Test
    void aMalformedLineBeforeTheLastIsAnErrorNamingFileAndLine() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1,\"time_s\":1.0}\n{\"step\":2,\"ti\n{\"step\":3,\"time_s\":3.0}\n");
        assertThatThrownBy(() -> MetricsJsonl.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ":2: not a JSON object");
        Files.writeString(file, "{\"step\":1,\"time_s\":1.0}\n{\"time_s\":2.0}\n");
        assertThatThrownBy(() -> MetricsJsonl.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(file + ":2: expected an integer \"step\"");
    }

    @Test
    void blankLinesAreSkipped() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.write(
                file,
                Arrays.asList("{\"step\":1,\"time_s\":1.0}", "", "{\"step\":2,\"time_s\":2.0}", ""),
                StandardCharsets.UTF_8);
        assertThat(MetricsJsonl.read(file)).hasSize(2);
    }
}
