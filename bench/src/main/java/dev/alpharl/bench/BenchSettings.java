package dev.alpharl.bench;

import dev.alpharl.trainer.model.QwenConfig;

/**
 * What {@code bench} measures on: the model architecture (random weights from {@code seed}), the batch of B rows,
 * P prompt tokens and C completion tokens (generated in the rollout, given in the train step), and how many timed
 * iterations follow how many untimed warm-up train steps. The AdamW settings only decide what the weights become,
 * not the work done.
 */
public record BenchSettings(
        QwenConfig model,
        int batch,
        int promptLen,
        int newTokens,
        int iters,
        int warmup,
        long seed,
        double lr,
        double weightDecay) {

    public BenchSettings {
        if (batch < 1 || promptLen < 1 || newTokens < 1 || iters < 1 || warmup < 1) {
            throw new IllegalArgumentException("batch, prompt-len, new-tokens, iters and warm-up must be >= 1, got "
                    + batch + ", " + promptLen + ", " + newTokens + ", " + iters + ", " + warmup);
        }
    }

    /** T = P + C, the length of a training row. */
    public int sequenceLength() {
        return promptLen + newTokens;
    }

    /**
     * The GEMM whose rate the train step is compared with: the MLP's gate projection over the whole training batch,
     * (B·T × H) · (F × H)ᵀ, the most common large product of the step. Returned as {M, K, N}.
     */
    public int[] gemmShape() {
        return new int[] {batch * sequenceLength(), model.hiddenSize(), model.intermediateSize()};
    }

    /** The train step's FLOPs (see {@link TrainStepFlops}). */
    public TrainStepFlops trainFlops() {
        return TrainStepFlops.of(model, batch, promptLen, newTokens);
    }
}
