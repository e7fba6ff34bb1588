package dev.alpharl.trainer.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.alpharl.trainer.metrics.ProcessMemory;
import dev.alpharl.trainer.optim.AdamW;
import dev.alpharl.trainer.optim.GradientClipping;
import dev.alpharl.trainer.optim.ParamGroup;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Resident memory and time of training steps on a random Qwen3-shaped model, one configuration per JVM (the
 * figures of docs/LORA.md §6). The weights are drawn natively (N(0, 0.02²), norms 1), so the Java heap stays small;
 * the resident size is read once the models are built, then the peak counter is reset ({@code /proc/self/clear_refs})
 * and read again after the steps. A step scores the reference model (when there is one), back-propagates the
 * token-mean NLL of B random sequences of T tokens through {@link LogProbScorer} (one micro-batch) and applies AdamW;
 * step 1 is a warm-up, the time is the mean of the others. Prints one line of {@code key=value} pairs.
 *
 * <pre>
 * TrainingMemoryRun layers=8 hidden=512 intermediate=1536 heads=8 kv-heads=2 head-dim=64 vocab=4096
 *                   batch=8 seq=1024 steps=3 lora=16 reference=view|copy|none checkpoint=true|false
 * </pre>
 */
public final class TrainingMemoryRun {

    public static void main(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0], kv[1]);
        }
        int layers = num(a, "layers", 8), hidden = num(a, "hidden", 512), inter = num(a, "intermediate", 1536);
        int heads = num(a, "heads", 8), kvHeads = num(a, "kv-heads", 2), headDim = num(a, "head-dim", 64);
        int vocab = num(a, "vocab", 4096), batch = num(a, "batch", 8), seq = num(a, "seq", 1024);
        int steps = num(a, "steps", 3), r = num(a, "lora", 0);
        String reference = a.getOrDefault("reference", "none");
        boolean checkpoint = Boolean.parseBoolean(a.getOrDefault("checkpoint", "false"));
        TorchRuntime.init();
        QwenConfig config = QwenConfig.tiny("qwen3", hidden, inter, layers, heads, kvHeads, headDim, vocab, false);
        try (NDManager root = NDManager.newBaseManager()) {
            QwenModel policy = randomModel(config, root);
            if (r > 0) {
                LoraSpec spec = LoraSpec.of(r, 2.0 * r, List.of(LoraSpec.ALL_LINEAR));
                policy = PeftAdapter.adoptBase(
                        policy, LoraAdapters.initialise(spec, config, 2, DataType.FLOAT32, root), root);
            }
            QwenModel ref = switch (reference) {
                case "none" -> null;
                case "view" -> policy.withoutAdapters();
                case "copy" -> randomModel(config, root);
                default -> throw new IllegalArgumentException("reference=view|copy|none, got " + reference);
            };
            System.gc();
            long loaded = ProcessMemory.residentBytes();
            resetPeak();
            policy.setTrainable(true);
            AdamW optimizer =
                    new AdamW(ParamGroup.decayMatricesOnly(policy.trainableWeights(), 0.0), 0.9, 0.999, 1e-8, root);
            LogProbScorer scorer = new LogProbScorer(policy, LogProbScorer.DEFAULT_CHUNK_ELEMENTS, checkpoint);
            SplittableRandom rnd = new SplittableRandom(3);
            double seconds = 0;
            for (int s = 1; s <= steps; s++) {
                List<long[]> prompts = new ArrayList<>(), completions = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    prompts.add(new long[] {rnd.nextInt(vocab)});
                    long[] c = new long[seq - 1];
                    for (int t = 0; t < c.length; t++) {
                        c[t] = rnd.nextInt(vocab);
                    }
                    completions.add(c);
                }
                SequenceBatch sb = new SequenceBatch(prompts, completions, 0);
                long t0 = System.nanoTime();
                try (StepScope scope = StepScope.open(root)) {
                    NDManager m = scope.manager();
                    if (ref != null) {
                        new LogProbScorer(ref).score(sb, 1.0, false, m);
                    }
                    double tokens = sb.completionTokens();
                    try (StepScope inner = StepScope.open(m);
                            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        scorer.backward(
                                sb,
                                1.0,
                                LogProbScorer.Entropy.NONE,
                                (from, to, scores) -> scores.logp().sum().neg().div((float) tokens),
                                gc,
                                inner.manager(),
                                s);
                    }
                    GradientClipping.clip(optimizer.weights(), 1.0);
                    optimizer.step(1e-4);
                }
                if (s > 1) {
                    seconds += (System.nanoTime() - t0) / 1e9;
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "parameters=%d trainable=%d lora=%d reference=%s checkpoint=%s batch=%d seq=%d "
                            + "rss_after_load_mb=%.0f peak_rss_mb=%.0f step_s=%.3f%n",
                    policy.parameterCount(),
                    policy.trainableWeights().values().stream()
                            .mapToLong(w -> w.getShape().size())
                            .sum(),
                    r,
                    reference,
                    checkpoint,
                    batch,
                    seq,
                    loaded / 1e6,
                    ProcessMemory.peakResidentBytes() / 1e6,
                    steps > 1 ? seconds / (steps - 1) : Double.NaN);
            optimizer.close();
        }
    }

    /** A model with weights drawn natively: N(0, 0.02²) matrices and biases, unit norms. */
    private static QwenModel randomModel(QwenConfig config, NDManager root) {
        Map<String, NDArray> w = new java.util.LinkedHashMap<>();
        QwenModel.expectedShapes(config)
                .forEach((name, shape) -> w.put(
                        name,
                        name.endsWith("norm.weight")
                                ? root.ones(shape)
                                : root.randomNormal(0f, 0.02f, shape, DataType.FLOAT32)));
        return QwenModel.of(config, w, root);
    }

    /** Resets the kernel's peak-resident counter (VmHWM) of this process to its current resident size. */
    private static void resetPeak() {
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/self/clear_refs"), "5");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot reset the peak resident size", e);
        }
    }

    private static int num(Map<String, String> a, String key, int fallback) {
        return a.containsKey(key) ? Integer.parseInt(a.get(key)) : fallback;
    }
}
