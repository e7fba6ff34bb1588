package dev.alpharl.trainer.alpharl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Writes a {@link Rank1AnalysisReport} as {@code analysis.json} and a readable {@code analysis.md}. */
public final class Rank1AnalysisWriter {

    public static final String JSON_FILE = "analysis.json";
    public static final String MARKDOWN_FILE = "analysis.md";

    private Rank1AnalysisWriter() {}

    public static void write(Rank1AnalysisReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve(JSON_FILE).toFile(), report);
        Files.writeString(dir.resolve(MARKDOWN_FILE), markdown(report), StandardCharsets.UTF_8);
    }

    /** The report as Markdown: summary with its controls, recovery, then one table row per matrix. */
    public static String markdown(Rank1AnalysisReport r) {
        StringBuilder b = new StringBuilder();
        Rank1AnalysisReport.Summary s = r.summary();
        b.append("# Rank-1 analysis\n\n");
        b.append(String.format(
                Locale.ROOT,
                "%d checkpoints (steps %s); fit window = first %d; y = %s; %d matrices.%n%n",
                r.steps().size(),
                r.steps(),
                r.fitCheckpoints(),
                r.ySource(),
                s.matrices()));
        b.append("| quantity (median over matrices) | real | control |\n|---|---|---|\n");
        row(b, "energy fraction σ1²/‖ΔW_T‖²", s.medianEnergyFraction(), Double.NaN);
        row(b, "direction stability \\|u1(k)·u1(T)\\|", s.medianFinalWindowUStability(), Double.NaN);
        row(b, "PLS1 in-sample R² (control: shuffled y)", s.medianPlsR2(), s.medianPlsR2ShuffledY());
        row(b, "PLS1 in-sample R² (control: iid rows)", s.medianPlsR2(), s.medianPlsR2IidRows());
        row(
                b,
                "c_t out-of-sample R² (control: random walk)",
                s.medianCoefficientR2OutOfSample(),
                s.medianRandomWalkR2OutOfSample());
        row(
                b,
                "c_T endpoint error (control: random walk)",
                s.medianCoefficientEndpointError(),
                s.medianRandomWalkEndpointError());
        row(b, "share passing Law 2b (OOS R² ≥ 0.9, endpoint ≤ 0.1)", s.law2bPassShare(), s.law2bRandomWalkPassShare());
        b.append(
                "\nIn-sample PLS R² is near 1 even on noise when d ≫ n (ALPHARL.md §3): read it against its controls.\n\n");
        Rank1AnalysisReport.Verdict v = r.verdict();
        b.append(String.format(
                Locale.ROOT,
                "## Verdict: %s%n%nincrements %s (drift: %s); rank-1 recovery ≥ 0.9: %s; Law 2 on the window's "
                        + "direction: %s, on the final direction: %s; oracle-y* inversion: %s.%n%n",
                v.passes() ? "pass" : "fail",
                r.coherence().regime(),
                v.drift(),
                v.rank1() == null ? "not evaluated" : v.rank1(),
                v.law2Window(),
                v.law2Final(),
                v.oracle() == null ? "not evaluated" : v.oracle()));
        Rank1AnalysisReport.Coherence c = r.coherence();
        b.append("## Coherence of successive increments\n\n");
        b.append("Mean cos(ΔW_{t+1} − ΔW_t, ΔW_t − ΔW_{t−1}): 1 for a linear drift, about 0 for a random walk.\n\n");
        b.append("| tensors | coherence |\n|---|---|\n");
        row(b, "all (pooled)", c.allTensors());
        row(b, "tracked matrices (pooled)", c.matrices());
        row(b, "other tensors (pooled)", c.otherTensors());
        row(b, "median of the matrices' own", c.medianMatrix());
        b.append("\nPer transition, all tensors: ")
                .append(fmt(c.perTransition()))
                .append("\n\n");
        b.append("## Law 2 on fixed directions\n\n");
        b.append("c_t = uᵀ ΔW_t v fit linearly in the step on the window, judged on the held-out checkpoints; "
                + "overshoot = ĉ_T / c_T; y fit linearly in c on the window, inverted at the oracle "
                + "y* = y_T: oracle ratio = c*/c_T (medians over matrices).\n\n");
        b.append("| direction | Law 2 pass share | c OOS R² | overshoot | y=acc OOS R² | y=acc oracle ratio "
                + "| y=reward OOS R² | y=reward oracle ratio |\n|---|---|---|---|---|---|---|---|\n");
        direction(b, "window (u1(k), v1(k))", r.windowDirection());
        direction(b, "final (u1(T), v1(T))", r.finalDirection());
        b.append("\n## Recovery\n\n");
        if (r.recovery() == null) {
            b.append(r.recoveryNote()).append(".\n\n");
        } else {
            Rank1AnalysisReport.Recovery rec = r.recovery();
            b.append("| model | accuracy | recovery ρ |\n|---|---|---|\n");
            b.append(String.format(Locale.ROOT, "| W_0 | %.4f | 0 |%n| W_T | %.4f | 1 |%n", rec.base(), rec.last()));
            b.append(String.format(
                    Locale.ROOT, "| rank-1 (Frobenius-rescaled) | %.4f | %.4f |%n", rec.rank1(), rec.rank1Recovery()));
            b.append(String.format(
                    Locale.ROOT,
                    "| rank-%s%% (Frobenius-rescaled) | %.4f | %.4f |%n%n",
                    fmt(r.rankPercent()),
                    rec.rankPercent(),
                    rec.rankPercentRecovery()));
            b.append("Rank-k reconstructions of the tracked matrices (rescaled to ‖ΔW_T‖_F or not; random: a "
                    + "random rank-k update of norm ‖ΔW_T‖_F), other tensors at W_T or at W_0:\n\n");
            b.append("| rank | kind | other tensors | accuracy | recovery ρ |\n|---|---|---|---|---|\n");
            for (Rank1AnalysisReport.RankRecovery k : r.rankRecovery()) {
                b.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %s | %.4f | %s |%n",
                        k.rank(),
                        k.kind(),
                        k.rest(),
                        k.accuracy(),
                        fmt(k.recovery())));
            }
            b.append("\n");
        }
        b.append(
                "## Matrices\n\n| matrix | shape | energy | σ2/σ1 | PLS R² | shuffled | iid | c OOS R² | c endpoint err | RW OOS R² | σ1 OOS R² | final c OOS R² | final overshoot | increments |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Rank1AnalysisReport.MatrixAnalysis m : r.matrices()) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %dx%d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    m.name(),
                    m.rows(),
                    m.cols(),
                    fmt(m.energyFraction()),
                    fmt(m.gapRatio()),
                    fmt(m.plsR2()),
                    fmt(m.plsR2ShuffledY()),
                    fmt(m.plsR2IidRows()),
                    fmt(m.coefficientR2OutOfSample()),
                    fmt(m.coefficientEndpointError()),
                    fmt(m.randomWalkR2OutOfSample()),
                    fmt(m.sigmaR2OutOfSample()),
                    fmt(m.finalDirection().step().outOfSampleR2()),
                    fmt(m.finalDirection().step().overshoot()),
                    fmt(m.incrementCoherence())));
        }
        return b.toString();
    }

    private static void row(StringBuilder b, String label, double real, double control) {
        b.append("| ")
                .append(label)
                .append(" | ")
                .append(fmt(real))
                .append(" | ")
                .append(Double.isNaN(control) ? "–" : fmt(control))
                .append(" |\n");
    }

    private static void row(StringBuilder b, String label, double value) {
        b.append("| ").append(label).append(" | ").append(fmt(value)).append(" |\n");
    }

    private static void direction(StringBuilder b, String label, Rank1AnalysisReport.DirectionSummary d) {
        b.append(String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
                label,
                fmt(d.law2PassShare()),
                fmt(d.medianStepR2OutOfSample()),
                fmt(d.medianOvershoot()),
                fmt(d.medianAccuracyR2OutOfSample()),
                fmt(d.medianAccuracyOracleRatio()),
                fmt(d.medianRewardR2OutOfSample()),
                fmt(d.medianRewardOracleRatio())));
    }

    private static String fmt(java.util.List<Double> values) {
        return values.stream().map(Rank1AnalysisWriter::fmt).toList().toString();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4g", v);
    }
}
