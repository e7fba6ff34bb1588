package dev.alpharl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.metrics.MetricsJsonl;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `java -jar trainer.jar` with overrides only: the default job end to end at a tiny scale. */
class DefaultJobTest {

    @TempDir
    Path out;

    private String[] args() {
        return new String[] {
            "--run.output-dir=" + out,
            "--trainer.total-steps=4",
            "--alpharl.window=2",
            "--alpharl.target-step=4",
            "--trainer.eval-every=2",
            "--trainer.save-every=2",
            "--data.eval.size=32",
            "--rollout.prompts-per-step=8",
            "--metrics.log-every=2",
            "--alpharl.snapshot-every=1",
            "--data.validation.size=32"
        };
    }

    private int run(StringWriter stdout, StringWriter stderr) {
        return Main.execute(args(), new PrintWriter(stdout), new PrintWriter(stderr));
    }

    @Test
    void trainsBothRunsComparesThemAndReusesThemWhenRunAgain() throws Exception {
        StringWriter stdout = new StringWriter(), stderr = new StringWriter();

        assertThat(run(stdout, stderr)).as(stderr.toString()).isEqualTo(0);

        Path root = out.resolve("default");
        Map<String, Object> full = summary(root.resolve("full"));
        Map<String, Object> accelerated = summary(root.resolve("alpharl"));
        assertThat(full).containsEntry("steps", 4).containsEntry("alpharl", null);
        assertThat(accelerated).containsEntry("steps", 2);
        assertThat(accelerated.get("alpharl")).isNotNull();
        assertThat(Files.readString(root.resolve("alpharl/config.yaml"))).contains("path: builtin:reasoning-base");
        // the same seed and settings: identical steps until the accelerated run jumps
        for (String key : List.of("reward/mean", "loss/policy", "grad_norm")) {
            assertThat(column(root.resolve("alpharl"), key))
                    .as(key)
                    .isEqualTo(column(root.resolve("full"), key).subList(0, 2));
        }
        for (String file : List.of("report.md", "report.html", "reward-vs-step.png", "eval-accuracy-vs-step.png")) {
            assertThat(root.resolve("compare").resolve(file)).isNotEmptyFile();
        }
        assertThat(stdout.toString())
                .contains(
                        "| RL steps | 2 | 4 |",
                        "| gain retained [95% CI] |",
                        "| speedup in RL steps | 2.00× |",
                        "wrote " + root.resolve("compare").resolve("report.md"));

        Path summary = root.resolve("full/summary.json");
        FileTime written = Files.getLastModifiedTime(summary);
        StringWriter again = new StringWriter();
        assertThat(run(again, new StringWriter())).isEqualTo(0);
        assertThat(Files.getLastModifiedTime(summary)).isEqualTo(written);
        assertThat(again.toString()).isEqualTo(stdout.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(Path run) throws IOException {
        return new ObjectMapper().readValue(run.resolve("summary.json").toFile(), Map.class);
    }

    /** The values of one metric over the training steps (step 0 is the base evaluation). */
    private static List<Object> column(Path run, String key) throws IOException {
        return MetricsJsonl.read(run.resolve("metrics.jsonl")).stream()
                .filter(line -> ((Number) line.get("step")).intValue() > 0)
                .map(line -> line.get(key))
                .toList();
    }
}
