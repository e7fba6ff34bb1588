package dev.alpharl.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.alpharl.trainer.model.LogProbScorer;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.SequenceBatch;
import dev.alpharl.trainer.rollout.Completion;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.rollout.SamplingParams;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generation and training throughput of a ~3M-parameter Qwen3-shaped model (4 layers, hidden 256, 4/2 heads of 64,
 * SwiGLU 768, vocab 2048, tied): sampled generation tokens/s at batch 1 and 64 (prompt 32, 64 new tokens, no stop),
 * and one log-prob scoring forward+backward (the training path, {@link LogProbScorer#backward}) on 64 sequences
 * of 32 + 64 tokens. Usage: {@code bench.jar model [iterations]}.
 */
public final class ModelBench {

    /** Measures with the best of {@code iters} timed runs of each case (after one warm-up). */
    static void run(int iters) {
        TorchRuntime.init();
        QwenConfig config = QwenConfig.tiny("qwen3", 256, 768, 4, 4, 2, 64, 2048, true);
        try (NDManager base = NDManager.newBaseManager()) {
            QwenModel model = QwenModel.random(config, 1, DataType.FLOAT32, base);
            System.out.printf(
                    "model: %d parameters, %d threads%n",
                    model.parameterCount(), Runtime.getRuntime().availableProcessors());
            SamplingParams sampling = new SamplingParams(64, 1.0, 1.0, 0, Set.of(), 0);
            for (int batch : new int[] {1, 64}) {
                double best = Double.MAX_VALUE;
                for (int i = -1; i < iters; i++) {
                    long t0 = System.nanoTime();
                    List<Completion> out = RolloutEngine.local(model)
                            .generate(prompts(batch, 32), sampling, new SplittableRandom(i), base);
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (i >= 0) {
                        best = Math.min(
                                best,
                                s
                                        / out.stream()
                                                .mapToInt(c -> c.tokens().length)
                                                .sum());
                    }
                }
                System.out.printf(
                        "generate batch %2d: %8.1f tokens/s (%.1f ms per decode step, prefill included)%n",
                        batch, 1 / best, best * 1e3 * batch);
            }
            model.setTrainable(true);
            SequenceBatch seqs = new SequenceBatch(prompts(64, 32), prompts(64, 64), 0);
            LogProbScorer scorer = new LogProbScorer(model);
            double best = Double.MAX_VALUE;
            for (int i = -1; i < iters; i++) {
                try (StepScope step = StepScope.open(base)) {
                    long t0 = System.nanoTime();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        scorer.backward(
                                seqs,
                                1.0,
                                LogProbScorer.Entropy.DETACHED,
                                (a, b, s) -> s.logp().mean().neg(),
                                gc,
                                step.manager());
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (i >= 0) {
                        best = Math.min(best, s);
                    }
                    model.weights().values().forEach(w -> w.getGradient().attach(step.manager()));
                }
            }
            System.out.printf(
                    "log-prob scoring fwd+bwd, 64 x (32+64) tokens: %.1f ms (%.0f tokens/s)%n",
                    best * 1e3, 64 * 96 / best);
        }
    }

    private static List<long[]> prompts(int n, int length) {
        SplittableRandom r = new SplittableRandom(n * 31L + length);
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] p = new long[length];
            for (int j = 0; j < length; j++) {
                p[j] = r.nextInt(2048);
            }
            out.add(p);
        }
        return Collections.unmodifiableList(out);
    }

    private ModelBench() {}
}
