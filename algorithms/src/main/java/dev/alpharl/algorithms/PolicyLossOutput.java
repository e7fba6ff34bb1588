package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * A policy loss before aggregation. {@code loss} is the differentiable per-token matrix {@code [B, T]}; the other
 * matrices are detached diagnostics of the same shape: the importance ratio used and 0/1 indicators of where the
 * lower clip, the upper clip and the dual clip were active. Average them with {@link Diagnostics}.
 */
public record PolicyLossOutput(
        NDArray loss, NDArray ratio, NDArray clippedLow, NDArray clippedHigh, NDArray dualClipped) {}
