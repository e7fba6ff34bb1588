package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * A per-token policy loss (ALGORITHMS.md §2) from the current log-probs {@code logp} (differentiable), the
 * behaviour log-probs {@code oldLogp}, token advantages and the response mask, all {@code [B, T]}. Implementations
 * are registered by name in {@link Algorithms#POLICY_LOSSES}.
 */
@FunctionalInterface
public interface PolicyLoss {
    PolicyLossOutput loss(NDArray logp, NDArray oldLogp, NDArray advantages, NDArray mask, ClipRange clip);
}
