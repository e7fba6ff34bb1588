package dev.alpharl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.report.CompareReport.Written;
import dev.alpharl.trainer.report.ComparisonCharts.Chart;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareReportTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path root;

    /** The brief's two runs, reported once for the tests that only read the report. */
    @TempDir
    static Path shared;

    private static Written briefReport;

    @BeforeAll
    static void writeBriefReport() throws IOException {
        briefReport =
                CompareReport.write(RunFixtures.accelerated(shared), RunFixtures.full(shared), shared.resolve("out"));
    }

    private static Written writeReport() {
        return briefReport;
    }

    @Test
    void tableNumbersOfTheBriefsRuns() {
        Comparison comparison = writeReport().comparison();
        assertThat(comparison.base()).contains(EvalResult.ofAccuracy(0.30, 500));
        assertThat(comparison.gainRetained().orElseThrow().estimate())
                .hasValueSatisfying(r -> assertThat(r).isCloseTo(0.9375, within(1e-12)));
        assertThat(comparison.stepSpeedup()).hasValue(5.0);
        assertThat(comparison.wallSpeedup()).hasValue(5.5);
        assertThat(comparison.warnings()).isEmpty();

        List<List<String>> runRows = CompareReport.runTable(comparison).rows();
        assertThat(runRows.get(0)).containsExactly("RL steps", "40", "200");
        assertThat(runRows.get(1)).containsExactly("wall time", "400 s (6 min 40 s)", "2200 s (36 min 40 s)");
        assertThat(runRows.get(2)).containsExactly("tokens", "40,000", "200,000");
        assertThat(runRows.get(4))
                .containsExactly(
                        "final eval accuracy [95% CI]",
                        "0.6000 [0.5565, 0.6420] (n=500)", "0.6200 [0.5767, 0.6615] (n=500)");
        assertThat(CompareReport.runTable(comparison).header())
                .containsExactly("", "accelerated: relex-40 (relex, window 40)", "full: full-200");
        List<List<String>> comparisonRows =
                CompareReport.comparisonTable(comparison).rows();
        assertThat(comparisonRows.get(0).get(1)).startsWith("0.9375 [");
        assertThat(comparisonRows.get(1)).containsExactly("speedup in RL steps", "5.00×");
        assertThat(comparisonRows.get(2)).containsExactly("speedup in wall time", "5.50×");
        assertThat(comparisonRows.get(3)).containsExactly("speedup in tokens", "5.00×");
    }

    @Test
    void markdownAndHtmlHoldTheTablesNotesAndCharts() throws IOException {
        Written written = writeReport();
        String markdown = Files.readString(written.markdown());
        assertThat(markdown)
                .contains(
                        "| RL steps | 40 | 200 |",
                        "| final eval accuracy [95% CI] | 0.6000 [0.5565, 0.6420] (n=500) | 0.6200 [0.5767, 0.6615] (n=500) |",
                        "| speedup in RL steps | 5.00× |",
                        "| gain retained [95% CI] | 0.9375 [",
                        "Wilson",
                        "approximate",
                        "parametric bootstrap",
                        "![reward/mean vs step](reward-vs-step.png)");
        String html = Files.readString(written.html());
        assertThat(html)
                .contains("<th>RL steps</th><td>40</td><td>200</td>", "<img src=\"eval-accuracy-vs-time.png\"")
                .doesNotContain("http://", "https://", "<script");
        assertThat(written.markdown().getParent()).isEqualTo(shared.resolve("out"));
    }

    @Test
    void writesFourValidPngs() throws IOException {
        Written written = writeReport();
        assertThat(written.charts())
                .extracting(Chart::file)
                .containsExactly(
                        "reward-vs-step.png",
                        "eval-accuracy-vs-step.png",
                        "reward-vs-time.png",
                        "eval-accuracy-vs-time.png");
        for (Chart chart : written.charts()) {
            Path file = shared.resolve("out").resolve(chart.file());
            byte[] bytes = Files.readAllBytes(file);
            assertThat(Arrays.copyOf(bytes, 8)).as(chart.file()).isEqualTo(PNG_MAGIC);
            BufferedImage image = ImageIO.read(file.toFile());
            assertThat(image.getWidth()).isEqualTo(ComparisonCharts.WIDTH);
            assertThat(image.getHeight()).isEqualTo(ComparisonCharts.HEIGHT);
        }
    }

    @Test
    void fallbackRunAndAFullRunThatGainedNothingAreReported() throws IOException {
        Path accelerated = RunFixtures.metrics(root.resolve("a"), 20, 5.0, 10, 0.45);
        Path full = RunFixtures.summary(
                RunFixtures.metrics(root.resolve("b"), 100, 5.0, 50, 0.29),
                100,
                500.0,
                100_000,
                "{\"accuracy\": 0.30, \"n\": 500}",
                "{\"accuracy\": 0.29, \"n\": 500}",
                "null");
        Written written = CompareReport.write(accelerated, full, root.resolve("out"));
        String markdown = Files.readString(written.markdown());
        assertThat(markdown)
                .contains(
                        "| totals from | metrics.jsonl step 20 (no summary.json) | summary.json |",
                        "| gain retained [95% CI] | undefined: the full run gained nothing (base 0.3000, full 0.2900) |",
                        "| speedup in RL steps | 5.00× |",
                        "Warning: " + accelerated.resolve("summary.json") + " is missing");
        assertThat(written.charts()).hasSize(4);
    }

    @Test
    void disagreeingBaseEvaluationsAreWarnedAbout() throws IOException {
        Path accelerated = RunFixtures.accelerated(root);
        Path full = RunFixtures.summary(
                RunFixtures.full(root),
                200,
                2200.0,
                200_000,
                "{\"accuracy\": 0.40, \"n\": 500}",
                "{\"accuracy\": 0.62, \"n\": 500}",
                "null");
        Comparison comparison = Comparison.of(RunDirectory.load(accelerated), RunDirectory.load(full));
        assertThat(comparison.warnings())
                .singleElement()
                .asString()
                .contains("base evaluations differ", "0.3000", "0.4000");
        assertThat(comparison.base()).contains(EvalResult.ofAccuracy(0.40, 500));
        assertThat(comparison.gainRetained().orElseThrow().estimate())
                .hasValueSatisfying(r -> assertThat(r).isCloseTo(0.20 / 0.22, within(1e-12)));
    }
}
