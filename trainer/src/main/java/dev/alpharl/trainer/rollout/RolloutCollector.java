package dev.alpharl.trainer.rollout;

import ai.djl.ndarray.NDManager;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.rewards.OverlongPenalty;
import dev.alpharl.rewards.RewardFunction;
import dev.alpharl.rewards.RewardResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates G completions per prompt in one batch and scores them. The reward sees the prompt text, the decoded
 * completion (special tokens skipped) and the sample's fields plus {@code answer} and {@code completion_tokens}.
 * With an overlong buffer, DAPO's soft length penalty is added to the score.
 */
public final class RolloutCollector {

    private final RolloutEngine engine;
    private final PromptEncoder encoder;
    private final RewardFunction reward;
    private final int overlongBuffer;
    private final double overlongPenalty;

    public RolloutCollector(
            RolloutEngine engine,
            PromptEncoder encoder,
            RewardFunction reward,
            int overlongBuffer,
            double overlongPenalty) {
        this.engine = engine;
        this.encoder = encoder;
        this.reward = reward;
        this.overlongBuffer = overlongBuffer;
        this.overlongPenalty = overlongPenalty;
    }

    public RewardFunction reward() {
        return reward;
    }

    /** Rollouts for {@code prompts}, {@code groupSize} each, group g = index of the prompt + {@code firstGroup}. */
    public List<Rollout> collect(
            List<PromptSample> prompts,
            int groupSize,
            int firstGroup,
            SamplingParams params,
            SplittableRandom rng,
            NDManager parent) {
        List<long[]> promptIds = new ArrayList<>();
        for (PromptSample p : prompts) {
            promptIds.add(encoder.encode(p));
        }
        List<Completion> completions = engine.generateGroups(promptIds, groupSize, params, rng, parent);
        List<Rollout> out = new ArrayList<>(completions.size());
        for (int i = 0; i < completions.size(); i++) {
            int promptIndex = i / groupSize;
            PromptSample sample = prompts.get(promptIndex);
            Completion c = completions.get(i);
            String text = encoder.tokenizer().decode(c.tokens(), true);
            RewardResult r = score(reward, encoder, sample, text, c.tokens().length);
            double shaped = r.score()
                    + (overlongBuffer > 0
                            ? OverlongPenalty.penalty(
                                    c.tokens().length, params.maxNewTokens(), overlongBuffer, overlongPenalty)
                            : 0.0);
            out.add(new Rollout(
                    sample,
                    firstGroup + promptIndex,
                    promptIds.get(promptIndex),
                    c,
                    text,
                    r,
                    shaped,
                    Correctness.of(r).orElse(false)));
        }
        return out;
    }

    /**
     * The reward of one completion: the reward sees the templated question, the completion text and the sample's
     * fields plus {@code answer} and {@code completion_tokens} (guarded: errors come back flagged, never thrown).
     */
    public static RewardResult score(
            RewardFunction reward,
            PromptEncoder encoder,
            PromptSample sample,
            String completionText,
            int completionTokens) {
        Map<String, Object> fields = new HashMap<>(sample.fields());
        fields.put("answer", sample.answer());
        fields.put(RewardFunction.COMPLETION_TOKENS, completionTokens);
        return reward.score(encoder.promptTemplate().render(sample.prompt()), completionText, fields);
    }
}
