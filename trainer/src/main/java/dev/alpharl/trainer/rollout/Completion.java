package dev.alpharl.trainer.rollout;

/**
 * One generated continuation.
 *
 * @param tokens   completion ids, the stop token included when the row stopped
 * @param logprobs log-probability of each chosen token under the model's unmodified distribution (temperature 1)
 * @param finish   why generation ended for this row
 */
public record Completion(long[] tokens, float[] logprobs, FinishReason finish) {

    /** Why a row stopped: it emitted a stop id, or reached max-new-tokens. */
    public enum FinishReason {
        STOP,
        LENGTH
    }
}
