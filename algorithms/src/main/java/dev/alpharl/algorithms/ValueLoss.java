package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/** The critic's clipped value loss (identical in verl, TRL and OpenRLHF). */
public final class ValueLoss {
    private ValueLoss() {}

    /** Per-token value loss {@code [B, T]} and a 0/1 matrix of where the clipped branch was the larger one. */
    public record Output(NDArray loss, NDArray clipped) {}

    /**
     * <pre>
     * V_clip = V_old + clip(V − V_old, −c_v, c_v)
     * L_V    = 0.5·max((V − Ret)², (V_clip − Ret)²)
     * </pre>
     * Aggregate with the same {@link AggregationPlan} mode as the policy term.
     */
    public static Output clipped(NDArray values, NDArray oldValues, NDArray returns, double clipValue) {
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("value clip c_v must be >= 0, got " + clipValue);
        }
        NDArray clippedValues = oldValues.add(values.sub(oldValues).clip(-clipValue, clipValue));
        NDArray plain = values.sub(returns).square();
        NDArray clippedLoss = clippedValues.sub(returns).square();
        NDArray loss = plain.maximum(clippedLoss).mul(Constant.like(plain, 0.5));
        return new Output(loss, PolicyLosses.indicator(clippedLoss.gt(plain), values));
    }
}
