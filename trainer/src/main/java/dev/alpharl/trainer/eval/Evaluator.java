package dev.alpharl.trainer.eval;

import ai.djl.ndarray.NDManager;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.rewards.RewardFunction;
import dev.alpharl.rewards.RewardResult;
import dev.alpharl.trainer.rollout.Completion;
import dev.alpharl.trainer.rollout.Correctness;
import dev.alpharl.trainer.rollout.PromptEncoder;
import dev.alpharl.trainer.rollout.RolloutCollector;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.rollout.SamplingParams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * mean@n accuracy of a model on a fixed prompt set: n samples per prompt at the evaluation temperature (greedy and
 * n = 1 at temperature 0), each graded by the reward's correctness verdict. The sampling seed is fixed, so two
 * evaluations of the same weights agree exactly and evaluations of different weights share their noise.
 */
public final class Evaluator {

    /** Rows generated together. */
    private static final int BATCH_ROWS = 64;

    private final PromptEncoder encoder;
    private final RewardFunction reward;
    private final List<PromptSample> prompts;
    private final SamplingParams sampling;
    private final int n;
    private final long seed;

    public Evaluator(
            PromptEncoder encoder,
            RewardFunction reward,
            List<PromptSample> prompts,
            SamplingParams sampling,
            int n,
            long seed) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("the evaluation set is empty");
        }
        this.encoder = encoder;
        this.reward = reward;
        this.prompts = List.copyOf(prompts);
        this.sampling = sampling;
        this.n = sampling.greedy() ? 1 : n;
        this.seed = seed;
    }

    public int size() {
        return prompts.size();
    }

    /** Evaluates {@code generator}'s model; adds a greedy pass when sampling is not greedy. */
    public EvalResult evaluate(RolloutEngine generator, NDManager parent) {
        Pass main = pass(generator, sampling, n, parent);
        double greedy = main.accuracy();
        if (!sampling.greedy()) {
            SamplingParams g =
                    new SamplingParams(sampling.maxNewTokens(), 0, 1, 0, sampling.stopIds(), sampling.padId());
            greedy = pass(generator, g, 1, parent).accuracy();
        }
        return new EvalResult(
                main.accuracy(),
                main.graded,
                main.correct,
                greedy,
                main.lengthSum / (double) main.graded,
                main.truncated / (double) main.graded);
    }

    private record Pass(int graded, int correct, long lengthSum, int truncated) {
        double accuracy() {
            return correct / (double) graded;
        }
    }

    private Pass pass(RolloutEngine generator, SamplingParams params, int samples, NDManager parent) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<PromptSample> rowsSample = new ArrayList<>();
        List<long[]> rows = new ArrayList<>();
        for (PromptSample p : prompts) {
            long[] ids = encoder.encode(p);
            rowsSample.addAll(Collections.nCopies(samples, p));
            rows.addAll(Collections.nCopies(samples, ids));
        }
        int correct = 0, truncated = 0;
        long lengths = 0;
        for (int start = 0; start < rows.size(); start += BATCH_ROWS) {
            int end = Math.min(rows.size(), start + BATCH_ROWS);
            List<Completion> out = generator.generate(rows.subList(start, end), params, rng, parent);
            for (int i = 0; i < out.size(); i++) {
                Completion c = out.get(i);
                String text = encoder.tokenizer().decode(c.tokens(), true);
                RewardResult r =
                        RolloutCollector.score(reward, encoder, rowsSample.get(start + i), text, c.tokens().length);
                correct += Correctness.require(r) ? 1 : 0;
                truncated += c.finish() == Completion.FinishReason.LENGTH ? 1 : 0;
                lengths += c.tokens().length;
            }
        }
        return new Pass(rows.size(), correct, lengths, truncated);
    }
}
