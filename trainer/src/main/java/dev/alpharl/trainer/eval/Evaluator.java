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
                main.truncated / (double) main.graded,
                main.solved / (double) prompts.size());
    }

    /** Counts of one pass; {@code solved} = prompts with at least one correct sample. */
    private record Pass(int graded, int correct, long lengthSum, int truncated, int solved) {
        double accuracy() {
            return correct / (double) graded;
        }
    }

    private Pass pass(RolloutEngine generator, SamplingParams params, int samples, NDManager parent) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<long[]> encoded = prompts.stream().map(encoder::encode).toList();
        int correct = 0, truncated = 0, solved = 0;
        long lengths = 0;
        int promptsPerCall = Math.max(1, BATCH_ROWS / samples);
        for (int start = 0; start < encoded.size(); start += promptsPerCall) {
            int end = Math.min(encoded.size(), start + promptsPerCall);
            // the samples of a prompt share its prefill; completions come prompt-major
            List<Completion> out = generator.generateGroups(encoded.subList(start, end), samples, params, rng, parent);
            for (int p = start; p < end; p++) {
                boolean any = false;
                for (int k = 0; k < samples; k++) {
                    Completion c = out.get((p - start) * samples + k);
                    String text = encoder.tokenizer().decode(c.tokens(), true);
                    RewardResult r = RolloutCollector.score(reward, encoder, prompts.get(p), text, c.tokens().length);
                    boolean right = Correctness.require(r);
                    correct += right ? 1 : 0;
                    any |= right;
                    truncated += c.finish() == Completion.FinishReason.LENGTH ? 1 : 0;
                    lengths += c.tokens().length;
                }
                solved += any ? 1 : 0;
            }
        }
        int graded = encoded.size() * samples;
        return new Pass(graded, correct, lengths, truncated, solved);
    }
}
