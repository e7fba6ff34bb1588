package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/** The two placements of a KL penalty (ALGORITHMS.md §1): in the reward, or in the loss. */
public final class KlPenalty {
    private KlPenalty() {}

    /**
     * KL in the reward: {@code r_{i,t} − β·sg[k_{i,t}]·m_{i,t}}. The penalty is detached, so only its value
     * matters; apply it before the advantage estimator.
     */
    public static NDArray penalizeRewards(NDArray tokenRewards, NDArray kl, double beta, NDArray mask) {
        return tokenRewards.sub(kl.stopGradient().mul(Masked.weights(mask, kl)).mul(Constant.like(kl, beta)));
    }

    /**
     * KL in the loss: {@code L_{i,t} + β·k_{i,t}}, differentiated with the policy term and aggregated with the same
     * plan (same normaliser).
     */
    public static NDArray addToLoss(NDArray loss, NDArray kl, double beta) {
        return beta == 0 ? loss : loss.add(kl.mul(Constant.like(kl, beta)));
    }
}
