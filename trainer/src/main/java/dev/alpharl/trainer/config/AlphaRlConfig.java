package dev.alpharl.trainer.config;

/**
 * AlphaRL acceleration (docs/ALPHARL.md): observe the first {@code window} steps, fit the rank-1 trajectory of
 * every weight update, and jump to the predicted weights.
 *
 * @param window        steps observed before the jump (0: AlphaRL off)
 * @param snapshotEvery record a rank-1 snapshot every N steps inside the window
 * @param method        {@code alpharl} (PLS on reward, inverted at target-reward) or {@code relex} (fit over time,
 *                      evaluated at target-step)
 * @param targetStep    step whose weights are predicted (null: trainer.total-steps); for alpharl it also sets the
 *                      default target reward
 * @param targetReward  reward at which the alpharl fit is inverted (null: the window's reward extrapolated linearly
 *                      in the step to target-step, capped at reward-cap)
 * @param rewardCap     the largest reward the task can give (caps the extrapolated target reward)
 * @param assembly      {@code replace}: W_k + (â − a_k)v_kᵀ; {@code add}: W_k + â v_kᵀ; {@code base}: W_0 + â v_kᵀ
 * @param afterJump     stop with the predicted model as final, or continue training from it
 */
public record AlphaRlConfig(
        @Default("0") @Range(min = 0) int window,
        @Default("1") @Range(min = 1) int snapshotEvery,
        @Default("alpharl") Method method,
        @Range(min = 1) Integer targetStep,
        Double targetReward,
        @Default("1.0") double rewardCap,
        @Default("replace") Assembly assembly,
        @Default("stop") AfterJump afterJump) {

    public enum Method { ALPHARL, RELEX }

    public enum Assembly { REPLACE, ADD, BASE }

    public enum AfterJump { STOP, CONTINUE }

    public AlphaRlConfig {
        if (window > 0) {
            InvalidValue.check(snapshotEvery <= window, "snapshot-every",
                    "must not exceed alpharl.window (" + window + "), got " + snapshotEvery);
        }
        InvalidValue.check(targetStep == null || targetStep > window, "target-step",
                "must be after alpharl.window (" + window + "), got " + targetStep);
    }

    public boolean enabled() {
        return window > 0;
    }
}
