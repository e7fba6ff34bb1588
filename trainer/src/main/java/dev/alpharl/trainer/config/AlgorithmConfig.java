package dev.alpharl.trainer.config;

import dev.alpharl.algorithms.Algorithms;

/**
 * The RL algorithm: a named preset (docs/ALGORITHMS.md §1) whose advantage estimator, policy loss and loss
 * aggregation can each be overridden, plus the shared knobs.
 *
 * @param name            the preset
 * @param advantage       advantage estimator, a name in {@link Algorithms#ADVANTAGES} (null: the preset's)
 * @param loss            policy loss, a name in {@link Algorithms#POLICY_LOSSES} (null: the preset's)
 * @param aggregation     loss aggregation, a name in {@link Algorithms#AGGREGATIONS} (null: the preset's)
 * @param clipLow         ε_low of the clipped ratio (null: the preset's; 0.2, GSPO 3e-4, CISPO unbounded)
 * @param clipHigh        ε_high of the clipped ratio (null: the preset's; clip-low, DAPO 0.28, GSPO 4e-4, CISPO 5)
 * @param dualClip        dual-clip constant c > 1 for negative advantages (null: off)
 * @param epochs          passes over each rollout batch
 * @param minibatches     optimizer steps per pass (the rollout batch is split into this many minibatches)
 * @param gamma           discount for returns and GAE
 * @param lambda          GAE λ
 * @param entropyCoef     entropy bonus coefficient
 * @param dynamicSampling drop groups whose rewards are all equal and sample more prompts (null: on for DAPO only)
 * @param kl              KL penalty against the reference model
 * @param overlong        overlong reward shaping (DAPO)
 * @param critic          value model, for advantage {@code gae} (ppo)
 */
public record AlgorithmConfig(
        @Default("grpo") Name name,
        String advantage,
        String loss,
        String aggregation,
        @Range(min = 0) Double clipLow,
        @Range(min = 0) Double clipHigh,
        Double dualClip,
        @Default("1") @Range(min = 1) int epochs,
        @Default("1") @Range(min = 1) int minibatches,
        @Default("1.0") @Range(min = 0, max = 1) double gamma,
        @Default("1.0") @Range(min = 0, max = 1) double lambda,
        @Default("0.0") @Range(min = 0) double entropyCoef,
        Boolean dynamicSampling,
        KlConfig kl,
        OverlongConfig overlong,
        CriticConfig critic) {

    public enum Name {
        GRPO,
        DR_GRPO,
        DAPO,
        RLOO,
        PPO,
        REINFORCE_PP,
        REINFORCE_PP_BASELINE,
        GSPO,
        CISPO
    }

    public AlgorithmConfig {
        InvalidValue.check(dualClip == null || dualClip > 1, "dual-clip", "must be greater than 1, got " + dualClip);
        InvalidValue.checkRegistered(Algorithms.ADVANTAGES, advantage, "advantage");
        InvalidValue.checkRegistered(Algorithms.POLICY_LOSSES, loss, "loss");
        InvalidValue.checkRegistered(Algorithms.AGGREGATIONS, aggregation, "aggregation");
    }

    /** ε_high: clip-high when set, otherwise clip-low (a symmetric clip range). */

    /**
     * @param coef      β (0: no KL term and no reference model)
     * @param estimator per-token estimator of KL(π‖ref) (docs/ALGORITHMS.md §5; null: the preset's, k3 in the
     *                  loss or k1 in the reward)
     * @param in        where the penalty goes: the loss (differentiated) or the reward (detached); null: the
     *                  preset's (reward for ppo and reinforce_pp*, loss otherwise)
     * @param adaptive  adapt β towards {@code target} (Ziegler et al. controller)
     * @param target    target KL of the adaptive controller
     * @param horizon   horizon, in samples, of the adaptive controller
     */
    public record KlConfig(
            @Default("0.0") @Range(min = 0) double coef,
            String estimator,
            Placement in,
            @Default("false") boolean adaptive,
            @Default("0.1") @Range(min = 0) double target,
            @Default("10000") @Range(min = 1) int horizon) {

        public enum Placement {
            LOSS,
            REWARD
        }

        public KlConfig {
            InvalidValue.checkRegistered(Algorithms.KL_ESTIMATORS, estimator, "estimator");
        }
    }

    /**
     * @param buffer  length zone before max-new-tokens in which the reward is reduced linearly (0: off; null: the
     *                preset's, a quarter of max-new-tokens for dapo, off otherwise)
     * @param penalty reward reduction at max-new-tokens
     */
    public record OverlongConfig(
            @Range(min = 0) Integer buffer,
            @Default("1.0") @Range(min = 0) double penalty) {}

    /**
     * @param lr        critic learning rate
     * @param valueClip clip range of the value loss
     */
    public record CriticConfig(
            @Default("1e-5") @Range(min = 0) double lr,
            @Default("0.5") @Range(min = 0) double valueClip) {}
}
