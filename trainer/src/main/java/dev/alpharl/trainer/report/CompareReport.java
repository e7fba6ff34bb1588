package dev.alpharl.trainer.report;

import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.report.ComparisonCharts.Chart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * The {@code compare} report of an accelerated run against a full run: report.md and report.html (the same tables,
 * notes and charts) plus the chart PNGs, all in one directory.
 */
public final class CompareReport {
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";

    /** What was written: the comparison, both report files and the charts (files in the same directory). */
    public record Written(Comparison comparison, Path markdown, Path html, List<Chart> charts) {}

    private CompareReport() {}

    /** Loads both runs, compares them and writes the report into {@code outDir} (created if needed). */
    public static Written write(Path acceleratedDir, Path fullDir, Path outDir) throws IOException {
        Comparison comparison = Comparison.of(RunDirectory.load(acceleratedDir), RunDirectory.load(fullDir));
        OutputDirectories.requireWritable(outDir, "report directory (compare --out)");
        List<Chart> charts = ComparisonCharts.write(comparison, outDir);
        Path markdown =
                Files.writeString(outDir.resolve(MARKDOWN), markdown(comparison, charts), StandardCharsets.UTF_8);
        Path html = Files.writeString(outDir.resolve(HTML), html(comparison, charts), StandardCharsets.UTF_8);
        return new Written(comparison, markdown, html, charts);
    }

    /** Per-run totals: steps, wall time, tokens, base and final accuracy with 95% Wilson intervals. */
    static Table runTable(Comparison comparison) {
        RunDirectory a = comparison.accelerated();
        RunDirectory b = comparison.full();
        List<List<String>> rows = new ArrayList<>();
        rows.add(row("RL steps", a, b, s -> Integer.toString(s.steps())));
        rows.add(row("wall time", a, b, s -> duration(s.wallTimeS())));
        rows.add(row(
                "tokens",
                a,
                b,
                s -> s.tokens().isPresent()
                        ? String.format(Locale.ROOT, "%,d", s.tokens().getAsLong())
                        : "unknown"));
        rows.add(row("base eval accuracy [95% CI]", a, b, s -> accuracy(s.baseEval())));
        rows.add(row("final eval accuracy [95% CI]", a, b, s -> accuracy(s.finalEval())));
        rows.add(row(
                "totals from",
                a,
                b,
                s -> s.fromSummaryFile()
                        ? RunDirectory.SUMMARY
                        : RunDirectory.METRICS + " step " + s.steps() + " (no " + RunDirectory.SUMMARY + ")"));
        return new Table(List.of("", "accelerated: " + a.label(), "full: " + b.label()), rows);
    }

    private static List<String> row(String heading, RunDirectory a, RunDirectory b, Function<RunSummary, String> cell) {
        return List.of(heading, cell.apply(a.summary()), cell.apply(b.summary()));
    }

    /** Accelerated against full: gain retained with its interval, and the speedups. */
    static Table comparisonTable(Comparison comparison) {
        String gain = comparison.gainRetainedUndefinedReason().orElseGet(() -> {
            GainRetained g = comparison.gainRetained().orElseThrow();
            return String.format(Locale.ROOT, "%.4f %s", g.estimate().orElseThrow(), interval(g.ci95()));
        });
        RunSummary a = comparison.accelerated().summary();
        RunSummary b = comparison.full().summary();
        OptionalDouble tokens = a.tokens().isPresent() && b.tokens().isPresent()
                ? Comparison.ratio(b.tokens().getAsLong(), a.tokens().getAsLong())
                : OptionalDouble.empty();
        return new Table(
                List.of("accelerated vs full", "value"),
                List.of(
                        List.of("gain retained [95% CI]", gain),
                        List.of("speedup in RL steps", speedup(comparison.stepSpeedup())),
                        List.of("speedup in wall time", speedup(comparison.wallSpeedup())),
                        List.of("speedup in tokens", speedup(tokens))));
    }

    /** The notes under the tables: definitions, interval methods and warnings. */
    static List<String> notes(Comparison comparison) {
        List<String> notes = new ArrayList<>();
        notes.add("Accelerated run: " + comparison.accelerated().dir() + "; full run: "
                + comparison.full().dir() + ".");
        notes.add("Accuracy intervals: 95% Wilson score interval from accuracy and n, treating the n graded samples "
                + "as independent Bernoulli trials. With several samples per prompt (mean@n) the samples of one "
                + "prompt are correlated, so the interval is approximate (too narrow when prompts differ in "
                + "difficulty).");
        String base = comparison
                .base()
                .map(e -> String.format(
                        Locale.ROOT,
                        "%.4f (n=%d, from %s)",
                        e.accuracy(),
                        e.graded(),
                        comparison.full().summary().baseEval().isPresent()
                                ? comparison.full().name()
                                : comparison.accelerated().name()))
                .orElse("unknown");
        notes.add("Gain retained = (acc_accelerated − acc_base) / (acc_full − acc_base), with acc_base = " + base
                + "; undefined when the full run gained nothing. Interval: " + GainRetained.METHOD
                + "; an unbounded interval means the full run's gain is within sampling noise.");
        notes.add("Speedup = full run ÷ accelerated run (steps, wall time, tokens).");
        comparison.warnings().forEach(w -> notes.add("Warning: " + w));
        return notes;
    }

    /** Both tables in Markdown, separated by a blank line. */
    public static String markdownTables(Comparison comparison) {
        return runTable(comparison).markdown()
                + '\n'
                + comparisonTable(comparison).markdown();
    }

    static String markdown(Comparison comparison, List<Chart> charts) {
        StringBuilder text = new StringBuilder("# Accelerated vs full run\n\n");
        text.append(markdownTables(comparison)).append('\n');
        notes(comparison).forEach(note -> text.append("- ").append(note).append('\n'));
        text.append('\n');
        for (Chart chart : charts) {
            text.append("![")
                    .append(chart.title())
                    .append("](")
                    .append(chart.file())
                    .append(")\n\n");
        }
        return text.toString();
    }

    static String html(Comparison comparison, List<Chart> charts) {
        StringBuilder text = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>Accelerated vs full run</title>
                <style>
                body { font-family: sans-serif; margin: 2em; }
                table { border-collapse: collapse; margin-bottom: 1.5em; }
                th, td { border: 1px solid #bbb; padding: 4px 10px; text-align: left; }
                img { display: block; margin: 1em 0; max-width: 100%; }
                </style>
                </head>
                <body>
                <h1>Accelerated vs full run</h1>
                """);
        text.append(runTable(comparison).html())
                .append(comparisonTable(comparison).html())
                .append("<ul>\n");
        notes(comparison)
                .forEach(note ->
                        text.append("<li>").append(Table.escapeHtml(note)).append("</li>\n"));
        text.append("</ul>\n");
        for (Chart chart : charts) {
            text.append("<img src=\"")
                    .append(Table.escapeHtml(chart.file()))
                    .append("\" alt=\"")
                    .append(Table.escapeHtml(chart.title()))
                    .append("\">\n");
        }
        return text.append("</body>\n</html>\n").toString();
    }

    static String accuracy(Optional<EvalResult> eval) {
        return eval.map(e -> String.format(
                        Locale.ROOT, "%.4f %s (n=%d)", e.accuracy(), interval(Wilson.interval95(e)), e.graded()))
                .orElse("none");
    }

    static String interval(Interval interval) {
        return interval.isBounded()
                ? String.format(Locale.ROOT, "[%.4f, %.4f]", interval.low(), interval.high())
                : "[unbounded]";
    }

    static String speedup(OptionalDouble ratio) {
        return ratio.isPresent() ? String.format(Locale.ROOT, "%.2f×", ratio.getAsDouble()) : "undefined";
    }

    /** Seconds, and hours/minutes when over a minute: {@code 3725 s (1 h 02 min)}. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "unknown";
        }
        long whole = Math.round(seconds);
        String text = whole + " s";
        if (whole >= 3600) {
            return text + String.format(Locale.ROOT, " (%d h %02d min)", whole / 3600, whole % 3600 / 60);
        }
        return whole >= 60 ? text + String.format(Locale.ROOT, " (%d min %02d s)", whole / 60, whole % 60) : text;
    }
}
