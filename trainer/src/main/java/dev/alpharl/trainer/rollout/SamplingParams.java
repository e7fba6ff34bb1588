package dev.alpharl.trainer.rollout;

import java.util.Set;

/**
 * How to pick tokens: temperature 0 is greedy; otherwise Hugging Face's processor order on fp32 logits —
 * temperature, then top-k (0 = off), then top-p (1 = off) — and a draw from what remains.
 *
 * @param stopIds  ids that end a sequence (all EOS ids of generation_config.json / the tokenizer); the stop token is
 *                 kept as the last completion token, as in Hugging Face
 * @param padId    the id fed to finished rows and used for left padding
 */
public record SamplingParams(
        int maxNewTokens, double temperature, double topP, int topK, Set<Long> stopIds, long padId) {

    /** The largest candidate set kept when only top-p is set (exact whenever the nucleus has at most this many tokens). */
    public static final int TOP_P_CANDIDATES = 1024;

    public SamplingParams {
        stopIds = Set.copyOf(stopIds);
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max-new-tokens must be >= 1, got " + maxNewTokens);
        }
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
