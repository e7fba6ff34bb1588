package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * A per-token estimator of KL(π‖π_ref) from the policy's and the reference's log-probs (ALGORITHMS.md §5),
 * {@code [B, T]}, differentiable in {@code logp}; padding is left to the caller. Implementations are registered
 * in {@link Algorithms#KL_ESTIMATORS}; the functions are in {@link KlEstimators}.
 */
@FunctionalInterface
public interface KlEstimator {
    NDArray estimate(NDArray logp, NDArray refLogp);
}
