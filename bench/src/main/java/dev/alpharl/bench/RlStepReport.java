package dev.alpharl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.bench.BenchReport.Row;
import dev.alpharl.bench.BenchReport.Verdict;
import dev.alpharl.trainer.model.QwenConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The side-by-side result of {@code rl-step}: the JVM trainer's GRPO step against HF generate + TRL in PyTorch eager
 * (when it ran), as rows of a Markdown table and as JSON. Speeds are tokens per second of the median timed step's
 * part, on token counts equal on both sides: rollout = generated tokens Σ L_r / rollout time; update = trained tokens
 * (B·P_len + Σ L_r, padding not counted) / update time; RL step = generated tokens / whole step time. Targets: RL
 * step ≥ {@value #RL_STEP_TARGET}×, rollout and update ≥ {@value #ROLLOUT_TARGET}× the reference. Checks (exit 1 on
 * a miss): both sides generated and trained the same number of tokens, and every step's pre-clip gradient norm
 * agrees within {@value #GRAD_NORM_TOLERANCE} relative (both update on the same tokens: the reference replays the
 * JVM's).
 */
final class RlStepReport {

    static final double RL_STEP_TARGET = 2.0;
    static final double ROLLOUT_TARGET = 1.5;
    static final double UPDATE_TARGET = 1.5;
    static final double GRAD_NORM_TOLERANCE = 1e-3;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RlStepSettings settings;
    private final RlStepInputs inputs;
    private final JvmRlStep.Result jvm;
    private final RlReferenceRun.Result reference;

    /** @param reference the reference's result, or null when it did not run */
    RlStepReport(RlStepSettings settings, RlStepInputs inputs, JvmRlStep.Result jvm, RlReferenceRun.Result reference) {
        this.settings = settings;
        this.inputs = inputs;
        this.jvm = jvm;
        this.reference = reference;
    }

    /** The median over timed steps of one part's seconds. */
    static double median(List<RlStepTimes> steps, ToDoubleFunction<RlStepTimes> part) {
        return JvmBench.median(steps.stream().mapToDouble(part).toArray());
    }

    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        int n = jvm.timed().size();
        rows.add(speedRow(
                "rollout",
                String.format(
                        Locale.ROOT, "rollout, tokens/s (%,d generated; median of %d)", inputs.generatedTokens(), n),
                inputs.generatedTokens(),
                RlStepTimes::rolloutSeconds,
                ROLLOUT_TARGET));
        rows.add(speedRow(
                "update",
                String.format(
                        Locale.ROOT,
                        "update, tokens/s (%,d prompt + completion tokens, padding not counted)",
                        inputs.trainedTokens()),
                inputs.trainedTokens(),
                RlStepTimes::updateSeconds,
                UPDATE_TARGET));
        rows.add(speedRow(
                "rl_step",
                "RL step, generated tokens/s (rollout + reward + update)",
                inputs.generatedTokens(),
                RlStepTimes::stepSeconds,
                RL_STEP_TARGET));
        double jvmRollout = median(jvm.timed(), RlStepTimes::rolloutSeconds);
        rows.add(new Row(
                "rollout_phases",
                "rollout: prefill / decode, s (JVM prefill timed alone)",
                String.format(Locale.ROOT, "%.2f / %.2f", jvm.prefillSeconds(), jvmRollout - jvm.prefillSeconds()),
                reference == null
                        ? "–"
                        : String.format(
                                Locale.ROOT,
                                "%.2f / %.2f",
                                reference.medianPhases().get("prefill_s"),
                                reference.medianPhases().get("decode_s")),
                "–",
                "–",
                Verdict.NONE));
        if (reference != null) {
            rows.add(new Row(
                    "update_phases",
                    "update: log-prob forward / backward / clip + optimizer, s",
                    "–",
                    String.format(
                            Locale.ROOT,
                            "%.2f / %.2f / %.2f",
                            reference.medianPhases().get("forward_s"),
                            reference.medianPhases().get("backward_s"),
                            reference.medianPhases().get("optimizer_s")),
                    "–",
                    "–",
                    Verdict.NONE));
        }
        rows.add(new Row(
                "peak_rss",
                "peak resident memory, MB",
                mb(jvm.peakRssBytes()),
                reference == null ? "–" : mb(reference.peakRssBytes()),
                reference == null
                        ? "–"
                        : String.format(Locale.ROOT, "%.2f×", (double) jvm.peakRssBytes() / reference.peakRssBytes()),
                "–",
                Verdict.NONE));
        double refShare = reference == null ? Double.NaN : reference.otherCpuShare();
        boolean quiet = !(jvm.otherCpuShare() > BenchReport.MAX_OTHER_CPU_SHARE)
                && !(refShare > BenchReport.MAX_OTHER_CPU_SHARE);
        rows.add(new Row(
                "other_cpu",
                "CPU taken by other processes and steal meanwhile, %",
                percent(jvm.otherCpuShare()),
                reference == null ? "–" : percent(refShare),
                "–",
                String.format(
                        Locale.ROOT,
                        "≤ %.0f%% (else the figures are unreliable)",
                        100 * BenchReport.MAX_OTHER_CPU_SHARE),
                quiet ? Verdict.PASS : Verdict.FAIL));
        boolean jvmTokens = jvm.generatedTokens() == inputs.generatedTokens();
        boolean refTokens = reference == null
                || (reference.generatedTokens() == inputs.generatedTokens()
                        && reference.trainedTokens() == inputs.trainedTokens()
                        && reference.paddedTrainedTokens() == inputs.paddedTrainedTokens()
                        && reference.decodeSteps() == inputs.longest());
        rows.add(new Row(
                "tokens",
                "tokens per step: generated / trained (forced lengths " + lengthSummary() + ")",
                String.format(Locale.ROOT, "%,d / %,d", jvm.generatedTokens(), inputs.trainedTokens()),
                reference == null
                        ? "–"
                        : String.format(
                                Locale.ROOT,
                                "%,d / %,d (padded batch %,d; %d decode steps)",
                                reference.generatedTokens(),
                                reference.trainedTokens(),
                                reference.paddedTrainedTokens(),
                                reference.decodeSteps()),
                "–",
                "equal",
                jvmTokens && refTokens ? Verdict.PASS : Verdict.FAIL));
        if (reference != null) {
            double worst = maxRelative(jvm.gradNorms(), reference.gradNorms());
            rows.add(new Row(
                    "grad_norms",
                    String.format(
                            Locale.ROOT,
                            "pre-clip gradient norm of all %d steps, max relative Δ (JVM step 1: %.6g)",
                            jvm.gradNorms().size(),
                            jvm.gradNorms().get(0)),
                    "–",
                    String.format(Locale.ROOT, "%.2e", worst),
                    "–",
                    String.format(Locale.ROOT, "≤ %.0e", GRAD_NORM_TOLERANCE),
                    worst <= GRAD_NORM_TOLERANCE ? Verdict.PASS : Verdict.FAIL));
        }
        return rows;
    }

    /**
     * The largest |a_i − b_i| / max(|a_i|, |b_i|) over two equally long lists; infinite when their lengths differ,
     * NaN when an entry is NaN.
     */
    static double maxRelative(List<Double> a, List<Double> b) {
        if (a.size() != b.size()) {
            return Double.POSITIVE_INFINITY;
        }
        double worst = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = BenchReport.relative(a.get(i), b.get(i));
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            worst = Math.max(worst, d);
        }
        return worst;
    }

    /** A speed row: tokens over the median seconds of one part, ratio JVM / reference of the rates. */
    private Row speedRow(String key, String metric, long tokens, ToDoubleFunction<RlStepTimes> part, double target) {
        double j = median(jvm.timed(), part);
        double jRate = tokens / j;
        if (reference == null) {
            return new Row(key, metric, rate(jRate, j), "–", "–", target(target), Verdict.NONE);
        }
        double r = median(reference.timed(), part);
        double ratio = jRate / (tokens / r);
        return new Row(
                key,
                metric,
                rate(jRate, j),
                rate(tokens / r, r),
                String.format(Locale.ROOT, "%.2f×", ratio),
                target(target),
                ratio >= target ? Verdict.PASS : Verdict.FAIL);
    }

    private static String rate(double tokensPerSecond, double seconds) {
        return String.format(Locale.ROOT, "%.1f (%.2f s)", tokensPerSecond, seconds);
    }

    private static String target(double t) {
        return String.format(Locale.ROOT, "≥ %.1f×", t);
    }

    private String lengthSummary() {
        int[] sorted = inputs.lengths().clone();
        Arrays.sort(sorted);
        return String.format(
                Locale.ROOT, "%d–%d, median %d", sorted[0], sorted[sorted.length - 1], sorted[sorted.length / 2]);
    }

    /** True unless a token count differs or, with a reference, a gradient norm disagrees beyond the tolerance. */
    boolean agrees() {
        return rows().stream()
                .noneMatch(
                        r -> (r.key().equals("tokens") || r.key().equals("grad_norms")) && r.verdict() == Verdict.FAIL);
    }

    /** False when other processes took more than the allowed share of the CPU during either side's run. */
    boolean quiet() {
        return rows().stream().noneMatch(r -> r.key().equals("other_cpu") && r.verdict() == Verdict.FAIL);
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "unknown" : String.format(Locale.ROOT, "%.1f", 100 * share);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f", bytes / 1e6);
    }

    /** The table with a header naming the model, the step's shape, the trainer settings and both implementations. */
    String markdown() {
        QwenConfig c = settings.model();
        var t = settings.config().trainer();
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "Model: %s-shaped, %d layers, hidden %d, %d/%d heads of %d, intermediate %d, vocab %d%s, random "
                        + "weights (seed %d); %d threads.%n",
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
                jvm.threads()));
        s.append(String.format(
                Locale.ROOT,
                "GRPO step: %d prompts × %d samples, prompt %d tokens, completions forced to lengths spread over "
                        + "[1, %d]; JVM update in micro-batches of %s; %d warm-up + %d timed steps.%n%n",
                settings.prompts(),
                settings.groupSize(),
                settings.promptLen(),
                settings.maxNewTokens(),
                t.maxTokensPerMicroBatch() > 0
                        ? "at most " + t.maxTokensPerMicroBatch() + " padded tokens (length-sorted)"
                        : t.microBatchSize() + " rows",
                settings.warmup(),
                settings.iters()));
        s.append(
                BenchReport.table(jvm.implementation(), reference == null ? null : reference.implementation(), rows()));
        if (reference != null) {
            s.append("\nReference sgemm from ").append(reference.blas()).append('\n');
        }
        return s.toString();
    }

    /** Settings, inputs, both sides' results (without the replayed token ids) and the rows, for machines. */
    ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode s = root.putObject("settings");
        s.set("model", settings.model().raw());
        s.put("prompts", settings.prompts())
                .put("group_size", settings.groupSize())
                .put("prompt_len", settings.promptLen())
                .put("max_new_tokens", settings.maxNewTokens())
                .put("iters", settings.iters())
                .put("warmup", settings.warmup())
                .put("seed", settings.seed())
                .put("micro_batch_size", settings.config().trainer().microBatchSize())
                .put("max_tokens_per_micro_batch", settings.config().trainer().maxTokensPerMicroBatch())
                .put("algorithm", settings.algorithm().describe());
        root.set("lengths", JSON.valueToTree(inputs.lengths()));
        ObjectNode j = root.putObject("jvm");
        j.put("implementation", jvm.implementation())
                .put("threads", jvm.threads())
                .put("generated_tokens", jvm.generatedTokens())
                .put("prefill_s", jvm.prefillSeconds())
                .put("peak_rss_bytes", jvm.peakRssBytes())
                .put("other_cpu_share", jvm.otherCpuShare());
        j.set("steps", JSON.valueToTree(jvm.timed()));
        j.set("losses", JSON.valueToTree(jvm.losses()));
        j.set("grad_norms", JSON.valueToTree(jvm.gradNorms()));
        j.set("learning_rates", JSON.valueToTree(jvm.learningRates()));
        root.set("reference", reference == null ? null : JSON.valueToTree(reference));
        root.set("rows", JSON.valueToTree(rows()));
        return root;
    }
}
