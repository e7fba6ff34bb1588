package dev.alpharl.trainer.rollout;

import dev.alpharl.datasets.PromptSample;
import dev.alpharl.rewards.RewardResult;

/**
 * One scored sample: a prompt of group {@code group} (the G samples of one prompt share it), its completion and
 * reward. {@code score} is the reward used for advantages: the reward function's score plus any overlong shaping.
 */
public record Rollout(
        PromptSample sample,
        int group,
        long[] promptIds,
        Completion completion,
        String completionText,
        RewardResult reward,
        double score,
        boolean correct) {

    /** Completion length in tokens. */
    public int length() {
        return completion.tokens().length;
    }

    /** True when the completion hit max-new-tokens without a stop token. */
    public boolean truncated() {
        return completion.finish() == Completion.FinishReason.LENGTH;
    }
}
