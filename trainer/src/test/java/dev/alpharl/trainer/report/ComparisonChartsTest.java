package dev.alpharl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** What the charts plot, read from the chart model rather than from pixels. */
class ComparisonChartsTest {
    @TempDir
    Path root;

    private Map<String, XYChart> charts() throws IOException {
        Comparison comparison = Comparison.of(
                RunDirectory.load(RunFixtures.accelerated(root)), RunDirectory.load(RunFixtures.full(root)));
        return ComparisonCharts.draw(comparison).entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().file(), Map.Entry::getValue));
    }

    @Test
    void evalChartsMarkTheWindowEndAndThePredictedModel() throws IOException {
        Map<String, XYChart> charts = charts();
        XYSeries byStep = charts.get("eval-accuracy-vs-step.png").getSeriesMap().get("window end (step 40)");
        assertThat(byStep.getXData()).containsExactly(40, 40);
        // the accelerated run logs 10 s a step and the full run ends at 2200 s, so the axis is in minutes
        XYSeries byTime = charts.get("eval-accuracy-vs-time.png").getSeriesMap().get("window end (step 40)");
        assertThat(byTime.getXData()).containsExactly(400 / 60.0, 400 / 60.0);
        XYSeries predicted =
                charts.get("eval-accuracy-vs-step.png").getSeriesMap().get("accelerated: relex-40 predicted model");
        assertThat(predicted.getXData()).containsExactly(40);
        assertThat(predicted.getYData()).containsExactly(0.60);
    }

    @Test
    void bothRunsAreOnEveryChart() throws IOException {
        for (XYChart chart : charts().values()) {
            assertThat(chart.getSeriesMap()).containsKeys("accelerated: relex-40 (relex, window 40)", "full: full-200");
        }
        XYSeries fullReward = charts().get("reward-vs-step.png").getSeriesMap().get("full: full-200");
        assertThat(fullReward.getXData()).hasSize(201);
        assertThat(fullReward.getYData()[200]).isEqualTo(0.5, within(1e-9));
    }
}
