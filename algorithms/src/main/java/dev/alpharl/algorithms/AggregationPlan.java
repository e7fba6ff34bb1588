package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * The loss normaliser of one optimizer step, fixed before the first micro-batch (ALGORITHMS.md §3 rule): compute it
 * once from the masks of every micro-batch (and rank) of the step, pass the same plan to each micro-batch's
 * {@link #aggregate}, and sum the micro-batch gradients without further division. The accumulated gradient then
 * equals the full-batch gradient for every mode.
 *
 * @param mode        the aggregation mode
 * @param denominator N_tok (token-mean), N_seq (seq-mean-*), or the constant C (seq-mean-token-sum-norm)
 * @param lossScale   extra factor on the scalar, e.g. R when a data-parallel backend averages gradients over R ranks
 */
public record AggregationPlan(LossAggregation mode, double denominator, double lossScale) {
    public AggregationPlan {
        if (!(denominator > 0) || Double.isInfinite(denominator)) {
            throw new IllegalArgumentException(
                    "aggregation denominator must be positive and finite, got " + denominator);
        }
        if (!(lossScale > 0) || Double.isInfinite(lossScale)) {
            throw new IllegalArgumentException("loss scale must be positive and finite, got " + lossScale);
        }
    }

    /**
     * The plan for a count-based mode from the step's counts. An empty step gets denominator 1, so its (all-zero)
     * loss stays 0 instead of NaN.
     */
    public static AggregationPlan forStep(LossAggregation mode, StepCounts counts) {
        long n = switch (mode.normaliser()) {
            case TOKENS -> counts.tokens();
            case SEQUENCES -> counts.sequences();
            case CONSTANT ->
                throw new IllegalArgumentException(
                        "constant-norm uses a constant normaliser"
                                + " C = B_cfg * L_max from the config, not the step's counts: use AggregationPlan.constantNorm(C)");
        };
        return new AggregationPlan(mode, Math.max(n, 1), 1);
    }

    /** The plan for a count-based mode from all masks of the step. */
    public static AggregationPlan forStep(LossAggregation mode, Iterable<NDArray> stepMasks) {
        return forStep(mode, StepCounts.of(stepMasks));
    }

    /**
     * The plan of one optimizer step for any mode: the constant {@code sequencesPerStep · maxResponseTokens} for a
     * constant normaliser, the step's counts otherwise.
     */
    public static AggregationPlan of(
            LossAggregation mode, StepCounts counts, long sequencesPerStep, long maxResponseTokens) {
        return mode.normaliser() == LossAggregation.Normaliser.CONSTANT
                ? constantNorm(mode, sequencesPerStep, maxResponseTokens)
                : forStep(mode, counts);
    }

    /** Dr.GRPO's constant normaliser {@code C = sequencesPerStep · maxResponseTokens} (config values, not padding). */
    public static AggregationPlan constantNorm(LossAggregation mode, long sequencesPerStep, long maxResponseTokens) {
        if (sequencesPerStep < 1 || maxResponseTokens < 1) {
            throw new IllegalArgumentException("constant normaliser needs sequences per step >= 1 and max response"
                    + " tokens >= 1, got " + sequencesPerStep + " and " + maxResponseTokens);
        }
        return new AggregationPlan(mode, (double) sequencesPerStep * maxResponseTokens, 1);
    }

    /** This plan with its scalar multiplied by {@code scale} (e.g. the data-parallel world size). */
    public AggregationPlan withLossScale(double scale) {
        return new AggregationPlan(mode, denominator, scale);
    }

    /**
     * One micro-batch's share of the step loss, a differentiable scalar:
     * <pre>
     * token-mean, seq-mean-token-sum, seq-mean-token-sum-norm:  s·Σ_{i,t} m·L / D
     * seq-mean-token-mean:                                      s·Σ_i [Σ_t m·L / max(|o_i|, 1)] / D
     * </pre>
     * with D = {@link #denominator} and s = {@link #lossScale}. Fully masked rows contribute exactly 0.
     */
    public NDArray aggregate(NDArray loss, NDArray mask) {
        if (!loss.getShape().equals(mask.getShape())) {
            throw new IllegalArgumentException("loss and mask must have the same [B, T] shape, got " + loss.getShape()
                    + " and " + mask.getShape());
        }
        NDArray m = Masked.weights(mask, loss);
        return mode.total(loss.mul(m), m).mul(Constant.like(loss, lossScale / denominator));
    }
}
