package dev.alpharl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.alpharl.SnapshotAccuracy;
import dev.alpharl.trainer.model.QwenConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side result of a bench run: JVM against the PyTorch-eager reference (when one ran), with the targets
 * and whether they are met, as rows for a Markdown table and as JSON.
 * <ul>
 *   <li>speed: train step ≥ {@value #TRAIN_SPEEDUP_TARGET}× and rollout ≥ {@value #ROLLOUT_SPEEDUP_TARGET}× the
 *       reference's speed; the train step's FLOP rate ≥ {@value #GEMM_FRACTION_TARGET} of the GEMM rate measured
 *       in the same process; the AdamW step (gradients cleared included) within
 *       {@value #OPTIMIZER_TIME_TARGET}× of the reference's time;</li>
 *   <li>agreement (the reference is an independent implementation of the same math on the same weights): logits
 *       on the check input within {@value #LOGITS_TOLERANCE} relative to their largest magnitude, the first step's
 *       loss within {@value #LOSS_TOLERANCE} and its gradient norm within {@value #GRAD_NORM_TOLERANCE} relative,
 *       and the last step's loss, after every AdamW update of the run, within {@value #LAST_LOSS_TOLERANCE};</li>
 *   <li>AlphaRL (JVM only): a warm snapshot within {@value #SNAPSHOT_SHARE_TARGET} of a train step, and the fit
 *       from its snapshots within {@value #FIT_TOLERANCE} of the fit from exact-SVD snapshots.</li>
 * </ul>
 */
public final class BenchReport {

    public static final double TRAIN_SPEEDUP_TARGET = 1.8;
    public static final double ROLLOUT_SPEEDUP_TARGET = 1.5;
    public static final double GEMM_FRACTION_TARGET = 0.70;
    /** Most the JVM's optimizer step may take, as a multiple of the reference's. */
    public static final double OPTIMIZER_TIME_TARGET = 1.2;

    public static final double LOGITS_TOLERANCE = 1e-4;
    public static final double LOSS_TOLERANCE = 1e-5;
    public static final double GRAD_NORM_TOLERANCE = 1e-4;
    public static final double LAST_LOSS_TOLERANCE = 1e-4;
    /** Most a warm AlphaRL snapshot (alpharl.snapshot-every: 1) may cost, as a share of a train step. */
    public static final double SNAPSHOT_SHARE_TARGET = 0.02;
    /** Largest relative change of the AlphaRL fit when block Lanczos snapshots replace exact ones. */
    public static final double FIT_TOLERANCE = 1e-4;
    /** Most of the CPU other processes (and hypervisor steal) may take for the figures to count as valid. */
    public static final double MAX_OTHER_CPU_SHARE = 0.05;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** PASS or FAIL against a target or tolerance; NONE where a row has neither. */
    public enum Verdict {
        PASS,
        FAIL,
        NONE
    }

    /** One line of the table; {@code reference}, {@code ratio} and {@code target} are "–" where not applicable. */
    public record Row(
            String key, String metric, String jvm, String reference, String ratio, String target, Verdict verdict) {}

    private final BenchSettings settings;
    private final JvmBench.Result jvm;
    private final ReferenceRun.Result reference;

    /** @param reference the reference's result, or null when it did not run */
    public BenchReport(BenchSettings settings, JvmBench.Result jvm, ReferenceRun.Result reference) {
        this.settings = settings;
        this.jvm = jvm;
        this.reference = reference;
    }

    public List<Row> rows() {
        Measurements j = jvm.measurements();
        Measurements r = reference == null ? null : reference.measurements();
        TrainStepFlops flops = settings.trainFlops();
        int[] g = settings.gemmShape();
        List<Row> rows = new ArrayList<>();
        rows.add(speedRow(
                "train_step",
                String.format("train step, s (median of %d)", settings.iters()),
                j.trainStepSeconds(),
                r == null ? Double.NaN : r.trainStepSeconds(),
                "%.3f",
                true,
                TRAIN_SPEEDUP_TARGET));
        rows.add(optimizerRow(j, r));
        rows.add(speedRow(
                "rollout",
                String.format(
                        "rollout, tokens/s (B=%d, %d+%d tokens)",
                        settings.batch(), settings.promptLen(), settings.newTokens()),
                j.rolloutTokensPerSecond(),
                r == null ? Double.NaN : r.rolloutTokensPerSecond(),
                "%.1f",
                false,
                ROLLOUT_SPEEDUP_TARGET));
        rows.add(speedRow(
                "gemm",
                String.format("GEMM %d×%d·(%d×%d)ᵀ fp32, GFLOP/s", g[0], g[1], g[2], g[1]),
                j.gemmGflops(),
                r == null ? Double.NaN : r.gemmGflops(),
                "%.1f",
                false,
                Double.NaN));
        double jf = j.trainGflops(flops) / j.gemmGflops();
        rows.add(new Row(
                "train_flop_rate",
                String.format("train step, GFLOP/s (%% of own GEMM; %.1f GFLOP/step)", flops.total() / 1e9),
                String.format(Locale.ROOT, "%.1f (%.0f%%)", j.trainGflops(flops), 100 * jf),
                r == null
                        ? "–"
                        : String.format(
                                Locale.ROOT,
                                "%.1f (%.0f%%)",
                                r.trainGflops(flops),
                                100 * r.trainGflops(flops) / r.gemmGflops()),
                "–",
                String.format(Locale.ROOT, "≥ %.0f%% of GEMM", 100 * GEMM_FRACTION_TARGET),
                jf >= GEMM_FRACTION_TARGET ? Verdict.PASS : Verdict.FAIL));
        rows.addAll(snapshotRows(jvm.snapshots(), j.trainStepSeconds()));
        rows.add(new Row(
                "peak_rss",
                "peak resident memory, MB",
                mb(j.peakRssBytes())
                        + String.format(Locale.ROOT, " (%s with snapshots)", mb(jvm.peakRssWithSnapshotsBytes())),
                r == null ? "–" : mb(r.peakRssBytes()),
                r == null ? "–" : String.format(Locale.ROOT, "%.2f×", (double) j.peakRssBytes() / r.peakRssBytes()),
                "–",
                Verdict.NONE));
        if (!jvm.phasePeaksMb().isEmpty()) {
            StringBuilder phases = new StringBuilder();
            jvm.phasePeaksMb()
                    .forEach((phase, mb) -> phases.append(phases.length() == 0 ? "" : ", ")
                            .append(phase)
                            .append(' ')
                            .append(String.format(Locale.ROOT, "%.0f", mb)));
            rows.add(new Row(
                    "peak_rss_by_phase",
                    "peak resident memory by phase, MB",
                    phases.toString(),
                    "–",
                    "–",
                    "–",
                    Verdict.NONE));
        }
        double refShare = reference == null ? Double.NaN : reference.otherCpuShare();
        boolean quiet = !(jvm.otherCpuShare() > MAX_OTHER_CPU_SHARE) && !(refShare > MAX_OTHER_CPU_SHARE);
        rows.add(new Row(
                "other_cpu",
                "CPU taken by other processes and steal meanwhile, %",
                percent(jvm.otherCpuShare()),
                reference == null ? "–" : percent(refShare),
                "–",
                String.format(Locale.ROOT, "≤ %.0f%% (else the figures are unreliable)", 100 * MAX_OTHER_CPU_SHARE),
                quiet ? Verdict.PASS : Verdict.FAIL));
        if (reference != null) {
            rows.add(agreementRow(
                    "logits",
                    "logits on the check input, max abs Δ / max abs logit",
                    reference.logitsMaxRelError(),
                    LOGITS_TOLERANCE));
            rows.add(agreementRow(
                    "first_loss",
                    String.format(
                            Locale.ROOT,
                            "step-1 loss (JVM %.6f), relative Δ",
                            j.trainLosses().get(0)),
                    relative(j.trainLosses().get(0), r.trainLosses().get(0)),
                    LOSS_TOLERANCE));
            rows.add(agreementRow(
                    "first_grad_norm",
                    String.format(Locale.ROOT, "step-1 gradient norm (JVM %.6g), relative Δ", j.firstGradNorm()),
                    relative(j.firstGradNorm(), r.firstGradNorm()),
                    GRAD_NORM_TOLERANCE));
            int last = Math.min(j.trainLosses().size(), r.trainLosses().size()) - 1;
            rows.add(agreementRow(
                    "last_loss",
                    String.format(
                            Locale.ROOT,
                            "step-%d loss after %d AdamW updates (JVM %.6f), relative Δ",
                            last + 1,
                            last,
                            j.trainLosses().get(last)),
                    relative(j.trainLosses().get(last), r.trainLosses().get(last)),
                    LAST_LOSS_TOLERANCE));
        }
        return rows;
    }

    /**
     * The AlphaRL rows: the cost of a warm snapshot (block Lanczos) against {@value #SNAPSHOT_SHARE_TARGET} of a train
     * step, the exact SVD's for comparison, how close block Lanczos came to the exact triplets, and whether the
     * AlphaRL fit stays within {@value #FIT_TOLERANCE} of the fit from exact snapshots.
     */
    static List<Row> snapshotRows(SnapshotMeasurement s, double trainStepSeconds) {
        double share = s.seconds() / trainStepSeconds;
        SnapshotAccuracy.FitAgreement fit = s.fit();
        double fitError = Math.max(fit.coefficientError(), fit.updateError());
        boolean fitHolds = fitError <= FIT_TOLERANCE && fit.decidedOtherwise().isEmpty();
        return List.of(
                new Row(
                        "alpharl_snapshot",
                        "AlphaRL snapshot of all projections, block Lanczos warm-started, s (% of train step)",
                        String.format(
                                Locale.ROOT, "%.3f (%.1f%%); cold %.3f", s.seconds(), 100 * share, s.coldSeconds()),
                        "–",
                        "–",
                        String.format(Locale.ROOT, "≤ %.0f%%", 100 * SNAPSHOT_SHARE_TARGET),
                        share <= SNAPSHOT_SHARE_TARGET ? Verdict.PASS : Verdict.FAIL),
                new Row(
                        "alpharl_snapshot_exact",
                        "same, exact SVD for every matrix, s (% of train step)",
                        String.format(
                                Locale.ROOT,
                                "%.3f (%.0f%%)",
                                s.exactSeconds(),
                                100 * s.exactSeconds() / trainStepSeconds),
                        "–",
                        "–",
                        "–",
                        Verdict.NONE),
                new Row(
                        "alpharl_snapshot_accuracy",
                        // cos∠ = |u·u*|, written without '|', which would split the markdown cell
                        String.format(
                                Locale.ROOT,
                                "block Lanczos vs exact SVD over %d matrices × snapshots, worst/median: σ1 rel. Δ, "
                                        + "1−cos∠(u,u*), 1−cos∠(v,v*); worst σ2 rel. Δ (exact σ2/σ1: median, max)",
                                s.matrices()),
                        String.format(
                                Locale.ROOT,
                                "%.1e/%.1e, %.1e/%.1e, %.1e/%.1e; %.1e (%.3f, %.4f); %.1f steps, %d fallbacks",
                                s.sigma1Error(),
                                s.medianSigma1Error(),
                                1 - s.uOverlap(),
                                1 - s.medianUOverlap(),
                                1 - s.vOverlap(),
                                1 - s.medianVOverlap(),
                                s.sigma2Error(),
                                s.medianGapRatio(),
                                s.maxGapRatio(),
                                s.meanSteps(),
                                s.fallbacks()),
                        "–",
                        "–",
                        "–",
                        Verdict.NONE),
                new Row(
                        "alpharl_fit",
                        "AlphaRL fit, block Lanczos vs exact snapshots, max rel. Δ: coefficient, update, weights",
                        String.format(
                                Locale.ROOT,
                                "%.1e, %.1e, %.1e (%d matrices%s)",
                                fit.coefficientError(),
                                fit.updateError(),
                                fit.weightError(),
                                fit.compared(),
                                fit.decidedOtherwise().isEmpty()
                                        ? ""
                                        : ", " + fit.decidedOtherwise().size() + " decided otherwise"),
                        "–",
                        "–",
                        String.format(Locale.ROOT, "≤ %.0e", FIT_TOLERANCE),
                        fitHolds ? Verdict.PASS : Verdict.FAIL));
    }

    /** True unless the reference ran and disagrees with the JVM beyond a tolerance. */
    public boolean agrees() {
        return rows().stream().noneMatch(r -> isAgreement(r.key()) && r.verdict() == Verdict.FAIL);
    }

    private static boolean isAgreement(String key) {
        return List.of("logits", "first_loss", "first_grad_norm", "last_loss").contains(key);
    }

    /**
     * A speed row. The ratio is the JVM's speed over the reference's: reference time / JVM time when
     * {@code lowerIsBetter}, else JVM rate / reference rate.
     */
    private Row speedRow(
            String key,
            String metric,
            double jvmValue,
            double refValue,
            String format,
            boolean lowerIsBetter,
            double target) {
        boolean hasRef = !Double.isNaN(refValue);
        double ratio = lowerIsBetter ? refValue / jvmValue : jvmValue / refValue;
        Verdict verdict =
                Double.isNaN(target) || !hasRef ? Verdict.NONE : ratio >= target ? Verdict.PASS : Verdict.FAIL;
        return new Row(
                key,
                metric,
                String.format(Locale.ROOT, format, jvmValue),
                hasRef ? String.format(Locale.ROOT, format, refValue) : "–",
                hasRef ? String.format(Locale.ROOT, "%.2f×", ratio) : "–",
                Double.isNaN(target) ? "–" : String.format(Locale.ROOT, "≥ %.1f×", target),
                verdict);
    }

    /**
     * The AdamW step: a speed row (ratio = reference time / JVM time) whose target is the JVM taking at most
     * {@link #OPTIMIZER_TIME_TARGET} times the reference's time.
     */
    private Row optimizerRow(Measurements j, Measurements r) {
        Row row = speedRow(
                "optimizer_step",
                String.format("optimizer step (AdamW over every weight), s (median of %d)", settings.iters()),
                j.optimizerStepSeconds(),
                r == null ? Double.NaN : r.optimizerStepSeconds(),
                "%.4f",
                true,
                1 / OPTIMIZER_TIME_TARGET);
        String target = String.format(
                Locale.ROOT,
                "≥ %.2f× (time ≤ %.1f× the reference's)",
                1 / OPTIMIZER_TIME_TARGET,
                OPTIMIZER_TIME_TARGET);
        return new Row(row.key(), row.metric(), row.jvm(), row.reference(), row.ratio(), target, row.verdict());
    }

    private static Row agreementRow(String key, String metric, double error, double tolerance) {
        return new Row(
                key,
                metric,
                "–",
                String.format(Locale.ROOT, "%.2e", error),
                "–",
                String.format(Locale.ROOT, "≤ %.0e", tolerance),
                error <= tolerance ? Verdict.PASS : Verdict.FAIL);
    }

    static double relative(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "unknown" : String.format(Locale.ROOT, "%.1f", 100 * share);
    }

    /** False when other processes took more than {@link #MAX_OTHER_CPU_SHARE} of the CPU during either side's run. */
    public boolean quiet() {
        return rows().stream().noneMatch(r -> r.key().equals("other_cpu") && r.verdict() == Verdict.FAIL);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f", bytes / 1e6);
    }

    /** The table with a header naming the model, the batch and both implementations. */
    public String markdown() {
        QwenConfig c = settings.model();
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "Model: %s-shaped, %d layers, hidden %d, %d/%d heads of %d, "
                        + "intermediate %d, vocab %d%s, random weights (seed %d); %d threads.%n",
                c.modelType(),
                c.numLayers(),
                c.hiddenSize(),
                c.numHeads(),
                c.numKvHeads(),
                c.headDim(),
                c.intermediateSize(),
                c.vocabSize(),
                c.tieWordEmbeddings() ? " (tied)" : "",
                settings.seed(),
                jvm.measurements().threads()));
        s.append(String.format(
                Locale.ROOT,
                "Train step: B=%d rows of %d prompt + %d completion tokens; "
                        + "FLOPs/step %.2f G = linear %.2f + attention %.2f + head %.2f.%n%n",
                settings.batch(),
                settings.promptLen(),
                settings.newTokens(),
                settings.trainFlops().total() / 1e9,
                settings.trainFlops().linear() / 1e9,
                settings.trainFlops().attention() / 1e9,
                settings.trainFlops().head() / 1e9));
        s.append(table(
                jvm.measurements().implementation(),
                reference == null ? null : reference.measurements().implementation(),
                rows()));
        if (reference != null) {
            s.append("\nReference sgemm from ").append(reference.blas()).append('\n');
        }
        return s.toString();
    }

    /**
     * The Markdown table of {@code rows}: metric, JVM ({@code jvmLabel}), reference ({@code referenceLabel}, null
     * when it did not run), JVM / reference, target, result.
     */
    static String table(String jvmLabel, String referenceLabel, List<Row> rows) {
        StringBuilder s = new StringBuilder();
        s.append("| metric | JVM (")
                .append(jvmLabel)
                .append(") | ")
                .append(referenceLabel == null ? "reference (not run)" : referenceLabel)
                .append(" | JVM / reference | target | result |\n|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            s.append("| ")
                    .append(String.join(
                            " | ",
                            r.metric(),
                            r.jvm(),
                            r.reference(),
                            r.ratio(),
                            r.target(),
                            r.verdict() == Verdict.NONE ? "" : r.verdict().name()))
                    .append(" |\n");
        }
        return s.toString();
    }

    /** Settings, both sides' raw measurements and the rows, for machines. */
    public ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        root.set("settings", JSON.valueToTree(settings));
        ((ObjectNode) root.get("settings")).set("model", settings.model().raw());
        root.set("train_flops", JSON.valueToTree(settings.trainFlops()));
        root.set("jvm", JSON.valueToTree(jvm));
        root.set("reference", reference == null ? null : JSON.valueToTree(reference));
        root.set("rows", JSON.valueToTree(rows()));
        return root;
    }
}
