package dev.alpharl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare} run in-process through Main with captured streams. */
class CompareCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path root;

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    private Path runDir(String name, int steps, double finalAccuracy) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        StringBuilder metrics = new StringBuilder();
        for (int step = 0; step <= steps; step++) {
            metrics.append(String.format(
                    Locale.ROOT,
                    "{\"step\": %d, \"time_s\": %d, \"reward/mean\": %.3f, " + "\"tokens/total\": %d%s}\n",
                    step,
                    3 * step,
                    0.01 * step,
                    100 * step,
                    step == 0
                            ? ", \"eval/accuracy\": 0.3, \"eval/n\": 200"
                            : step == steps ? ", \"eval/accuracy\": " + finalAccuracy + ", \"eval/n\": 200" : ""));
        }
        Files.writeString(dir.resolve("metrics.jsonl"), metrics);
        return dir;
    }

    @Test
    void writesTheReportIntoRunAByDefault() throws IOException {
        Path a = runDir("a", 10, 0.5);
        Path b = runDir("b", 40, 0.55);
        assertThat(run("compare", a.toString(), b.toString())).isEqualTo(0);
        assertThat(a.resolve("report/report.md")).exists();
        assertThat(a.resolve("report/report.html")).exists();
        assertThat(a.resolve("report/reward-vs-time.png")).exists();
        assertThat(out.toString())
                .contains(
                        "| RL steps | 10 | 40 |",
                        "| speedup in RL steps | 4.00× |",
                        "wrote " + a.resolve("report/report.md"));
        assertThat(err.toString()).contains("warning: " + a.resolve("summary.json") + " is missing");
    }

    @Test
    void outChoosesTheReportDirectory() throws IOException {
        Path target = root.resolve("elsewhere/report");
        assertThat(run(
                        "compare",
                        runDir("a", 4, 0.4).toString(),
                        runDir("b", 8, 0.5).toString(),
                        "--out",
                        target.toString()))
                .isEqualTo(0);
        assertThat(target.resolve("report.md")).exists();
    }

    @Test
    void aMissingRunDirectoryExitsTwoNamingIt() throws IOException {
        Path missing = root.resolve("no-such-run");
        assertThat(run("compare", missing.toString(), runDir("b", 4, 0.5).toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("error: " + missing + ": no such directory (expected a run directory "
                        + "holding metrics.jsonl)" + System.lineSeparator());
    }

    @Test
    void aRunDirectoryWithoutMetricsExitsTwoNamingTheFile() throws IOException {
        Path empty = Files.createDirectories(root.resolve("empty"));
        assertThat(run("compare", runDir("a", 4, 0.5).toString(), empty.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).startsWith("error: " + empty.resolve("metrics.jsonl") + ": no such file");
    }

    @Test
    void anOutUnderARegularFileExitsTwoNamingIt() throws IOException {
        Path file = Files.writeString(root.resolve("a-file"), "x");
        Path target = file.resolve("report");
        assertThat(run(
                        "compare",
                        runDir("a", 4, 0.4).toString(),
                        runDir("b", 8, 0.5).toString(),
                        "--out",
                        target.toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("error: report directory (compare --out): cannot write " + target + ": " + file
                        + " is a file, not a directory" + System.lineSeparator());
    }

    @Test
    void aMissingArgumentIsAUsageError() {
        assertThat(run("compare", "only-one")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter: 'RUN_B'");
    }
}
