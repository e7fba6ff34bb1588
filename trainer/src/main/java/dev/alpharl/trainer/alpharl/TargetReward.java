package dev.alpharl.trainer.alpharl;

/**
 * The default target y* for AlphaRL's inversion when none is configured: the reward extrapolated to the target
 * step by an OLS line over the window's (step, y) points, capped at the reward's maximum,
 * y* = min(y_max, α·s* + β).
 */
public final class TargetReward {

    private TargetReward() {}

    public static double extrapolated(double[] steps, double[] rewards, double targetStep, double maxReward) {
        return Math.min(maxReward, LinearFit.of(steps, rewards).at(targetStep));
    }
}
