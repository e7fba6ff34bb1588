package dev.alpharl.trainer.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The four comparison charts, both runs on each: reward/mean and eval/accuracy against step and against wall time,
 * with a dashed vertical line at the accelerated run's window end when its summary gives one.
 */
public final class ComparisonCharts {
    static {
        // Charts are rendered off-screen; this must hold before the first AWT class loads.
        System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 900;
    static final int HEIGHT = 540;
    private static final Color ACCELERATED = new Color(0xD6, 0x5F, 0x00);
    private static final Color FULL = new Color(0x00, 0x72, 0xB2);
    private static final Color MARKER = new Color(0x55, 0x55, 0x55);

    /** One chart written to {@code file} (a name in the report directory). */
    public record Chart(String file, String title) {}

    private enum Metric {
        REWARD("reward", "reward/mean"),
        EVAL_ACCURACY("eval-accuracy", "eval/accuracy");

        final String file;
        final String key;

        Metric(String file, String key) {
            this.file = file;
            this.key = key;
        }
    }

    /** A wall-time unit chosen so the axis reads in small numbers. */
    private record TimeUnit(String name, double seconds) {
        static TimeUnit spanning(double maxSeconds) {
            if (maxSeconds >= 2 * 3600) {
                return new TimeUnit("h", 3600);
            }
            return maxSeconds >= 120 ? new TimeUnit("min", 60) : new TimeUnit("s", 1);
        }
    }

    private record Points(List<Double> x, List<Double> y) {
        Points() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        void add(double xValue, double yValue) {
            if (Double.isFinite(xValue) && Double.isFinite(yValue)) {
                x.add(xValue);
                y.add(yValue);
            }
        }
    }

    private ComparisonCharts() {}

    /**
     * Writes the charts that have data into {@code dir} as PNGs and returns them in report order; a metric that
     * neither run logged gets no chart.
     */
    public static List<Chart> write(Comparison comparison, Path dir) throws IOException {
        Map<Chart, XYChart> charts = draw(comparison);
        for (Map.Entry<Chart, XYChart> chart : charts.entrySet()) {
            BitmapEncoder.saveBitmap(
                    chart.getValue(), dir.resolve(chart.getKey().file()).toString(), BitmapFormat.PNG);
        }
        return List.copyOf(charts.keySet());
    }

    /** The charts that have data, in report order. */
    static Map<Chart, XYChart> draw(Comparison comparison) {
        TimeUnit unit = TimeUnit.spanning(Math.max(maxTime(comparison.accelerated()), maxTime(comparison.full())));
        Map<Chart, XYChart> charts = new LinkedHashMap<>();
        for (boolean byTime : new boolean[] {false, true}) {
            for (Metric metric : Metric.values()) {
                String axis = byTime ? "time" : "step";
                Chart chart = new Chart(metric.file + "-vs-" + axis + ".png", metric.key + " vs " + axis);
                draw(comparison, metric, byTime, unit, chart.title()).ifPresent(drawn -> charts.put(chart, drawn));
            }
        }
        return charts;
    }

    private static double maxTime(RunDirectory run) {
        return run.metrics().lines().stream()
                .mapToDouble(MetricsLine::timeS)
                .filter(Double::isFinite)
                .max()
                .orElse(0);
    }

    private static Optional<XYChart> draw(
            Comparison comparison, Metric metric, boolean byTime, TimeUnit unit, String title) {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(title)
                .xAxisTitle(byTime ? "wall time (" + unit.name() + ")" : "RL step")
                .yAxisTitle(metric.key)
                .build();
        chart.getStyler()
                .setLegendPosition(LegendPosition.InsideSE)
                .setMarkerSize(6)
                .setChartBackgroundColor(Color.WHITE);
        ToDoubleFunction<MetricsLine> x = byTime ? l -> l.timeS() / unit.seconds() : l -> l.step();
        List<Double> allY = new ArrayList<>();
        for (RunDirectory run : List.of(comparison.accelerated(), comparison.full())) {
            boolean accelerated = run == comparison.accelerated();
            String role = accelerated ? "accelerated: " : "full: ";
            Color color = accelerated ? ACCELERATED : FULL;
            Points points = new Points();
            Points predicted = new Points();
            if (metric == Metric.REWARD) {
                run.metrics().lines().forEach(l -> points.add(x.applyAsDouble(l), l.rewardMean()));
            } else {
                evalPoints(run, x, byTime ? unit.seconds() : 0, points, predicted);
            }
            addSeries(chart, role + run.label(), points, color, metric == Metric.EVAL_ACCURACY);
            addSeries(chart, role + run.name() + " predicted model", predicted, color, true)
                    .ifPresent(s -> s.setMarker(SeriesMarkers.DIAMOND));
            allY.addAll(points.y());
            allY.addAll(predicted.y());
        }
        if (chart.getSeriesMap().isEmpty()) {
            return Optional.empty();
        }
        windowEnd(comparison.accelerated(), byTime, unit).ifPresent(w -> {
            double low = allY.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double high = allY.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            XYSeries line = chart.addSeries(
                    "window end (step " + windowStep(comparison.accelerated()) + ")",
                    new double[] {w, w},
                    new double[] {low, high});
            line.setMarker(SeriesMarkers.NONE).setLineStyle(SeriesLines.DASH_DASH);
            line.setLineColor(MARKER);
        });
        return Optional.of(chart);
    }

    /**
     * A run's evaluations: its eval lines, the base evaluation at step 0 when no line has it, and the final
     * evaluation (from summary.json) at the run's end when no line has it. An accelerated run's final evaluation is of the predicted
     * model, not of the trained one, so it goes to {@code predicted}.
     */
    private static void evalPoints(
            RunDirectory run,
            ToDoubleFunction<MetricsLine> x,
            double timeUnitSeconds,
            Points points,
            Points predicted) {
        RunSummary summary = run.summary();
        List<MetricsLine> evals =
                run.metrics().lines().stream().filter(MetricsLine::hasEval).toList();
        boolean hasStepZero = !evals.isEmpty() && evals.get(0).step() == 0;
        if (!hasStepZero) {
            summary.baseEval().ifPresent(base -> points.add(0, base.accuracy()));
        }
        evals.forEach(l -> points.add(x.applyAsDouble(l), l.evalAccuracy()));
        double end = timeUnitSeconds > 0 ? summary.wallTimeS() / timeUnitSeconds : summary.steps();
        if (!summary.fromSummaryFile()) {
            return; // without summary.json the final evaluation is the last eval line, already plotted
        }
        summary.finalEval().ifPresent(last -> {
            if (summary.alphaRl().isPresent()) {
                predicted.add(end, last.accuracy());
            } else if (evals.isEmpty() || evals.get(evals.size() - 1).step() != summary.steps()) {
                points.add(end, last.accuracy());
            }
        });
    }

    private static Optional<XYSeries> addSeries(
            XYChart chart, String name, Points points, Color color, boolean markers) {
        if (points.x().isEmpty()) {
            return Optional.empty();
        }
        XYSeries series = chart.addSeries(name, points.x(), points.y());
        series.setLineColor(color);
        series.setMarkerColor(color);
        series.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        return Optional.of(series);
    }

    private static int windowStep(RunDirectory accelerated) {
        return accelerated.summary().alphaRl().orElseThrow().window();
    }

    /** The window end on the x axis: its step, or the accelerated run's wall time at that step. */
    private static Optional<Double> windowEnd(RunDirectory accelerated, boolean byTime, TimeUnit unit) {
        return accelerated
                .summary()
                .alphaRl()
                .flatMap(a -> byTime
                        ? accelerated
                                .metrics()
                                .atOrBefore(a.window())
                                .map(l -> l.timeS() / unit.seconds())
                                .filter(Double::isFinite)
                        : Optional.of((double) a.window()));
    }
}
