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
        b.append("## Recovery\n\n");
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
        }
        b.append(
                "## Matrices\n\n| matrix | shape | energy | σ2/σ1 | PLS R² | shuffled | iid | c OOS R² | c endpoint err | RW OOS R² | σ1 OOS R² |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Rank1AnalysisReport.MatrixAnalysis m : r.matrices()) {
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %dx%d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
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
                    fmt(m.sigmaR2OutOfSample())));
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

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4g", v);
    }
}
