package dev.alpharl.algorithms;

/**
 * Knobs of the outcome-based estimators.
 *
 * @param scaling GRPO's reward scaling (ignored by the others)
 * @param eps     GRPO's denominator eps
 * @param gamma   discount of the REINFORCE++ returns and GAE
 * @param lambda  GAE's λ
 */
public record AdvantageOptions(RewardScaling scaling, double eps, double gamma, double lambda) {
    /** verl's defaults: group scaling, eps 1e-6, γ = 1, λ = 1. */
    public static final AdvantageOptions DEFAULTS =
            new AdvantageOptions(RewardScaling.GROUP, Advantages.GRPO_EPS, 1, 1);

    public AdvantageOptions {
        if (scaling == null) {
            throw new IllegalArgumentException("reward scaling must be set (group, batch or none)");
        }
        if (!(eps >= 0) || !(gamma >= 0 && gamma <= 1) || !(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("need eps >= 0 and 0 <= gamma, lambda <= 1, got eps " + eps + ", gamma "
                    + gamma + ", lambda " + lambda);
        }
    }
}
