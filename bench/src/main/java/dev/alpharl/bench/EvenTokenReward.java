package dev.alpharl.bench;

/**
 * The RL-step bench's reward, computed from token ids on both sides (the bench model has no tokenizer): the share of
 * even ids among a completion's tokens, R = |{j : y_j even}| / |y|. It varies within a group, so GRPO's advantages
 * are not zero and the update has a gradient.
 */
final class EvenTokenReward {

    private EvenTokenReward() {}

    static float score(long[] completion) {
        if (completion.length == 0) {
            throw new IllegalArgumentException("an empty completion has no reward");
        }
        int even = 0;
        for (long id : completion) {
            even += (id & 1) == 0 ? 1 : 0;
        }
        return even / (float) completion.length;
    }
}
