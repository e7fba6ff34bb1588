package dev.alpharl.trainer.metrics;

import java.util.Locale;

/** The timed phases of a training step; {@link #key()} is the {@code phase} tag and the {@code timing/<key>_s} name. */
public enum Phase {
    ROLLOUT,
    REWARD,
    REFERENCE,
    OLD_LOGPROBS,
    UPDATE,
    EVAL,
    ALPHARL,
    CHECKPOINT;

    private final String key = name().toLowerCase(Locale.ROOT);

    public String key() {
        return key;
    }
}
