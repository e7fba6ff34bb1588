package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * An advantage estimator (ALGORITHMS.md §4): scores, group structure and response mask in, token advantages out.
 * Implementations are registered by name in {@link Algorithms#ADVANTAGES}.
 */
public interface AdvantageEstimator {

    /**
     * What an estimator may use.
     *
     * @param scores    outcome rewards R {@code [B]}
     * @param groups    which samples share a prompt
     * @param mask      response mask {@code [B, T]}
     * @param klPenalty per-token in-reward KL penalty β·k {@code [B, T]}, or null (return-based estimators only)
     * @param values    the critic's value predictions {@code [B, T]} (estimators that {@link #needsCritic})
     * @param options   GRPO scaling, eps, discount
     */
    record Input(
            NDArray scores,
            GroupIndex groups,
            NDArray mask,
            NDArray klPenalty,
            NDArray values,
            AdvantageOptions options) {}

    /**
     * @param advantages token advantages {@code [B, T]}, zero on padding
     * @param returns    value targets {@code [B, T]} for a critic, or null
     */
    record Result(NDArray advantages, NDArray returns) {}

    Result estimate(Input input);

    /** Whether the estimator needs a critic's values. */
    default boolean needsCritic() {
        return false;
    }

    /** Whether the estimator works on token rewards, so a KL penalty can go in the reward. */
    default boolean returnBased() {
        return false;
    }

    /** A per-sequence advantage {@code [B]} from scores, groups and mask. */
    @FunctionalInterface
    interface PerSequence {
        NDArray advantages(NDArray scores, GroupIndex groups, NDArray mask, AdvantageOptions options);
    }

    /**
     * An outcome estimator: a per-sequence advantage broadcast to every valid token. It uses scores only, so a KL
     * penalty in the reward is refused (put the KL in the loss).
     */
    static AdvantageEstimator outcome(PerSequence f) {
        return in -> {
            if (in.klPenalty() != null) {
                throw new IllegalArgumentException("KL in the reward needs a return-based advantage estimator; "
                        + "this one uses outcome scores only: put the KL in the loss instead");
            }
            return new Result(
                    Masked.broadcast(f.advantages(in.scores(), in.groups(), in.mask(), in.options()), in.mask()), null);
        };
    }

    /** A return-based estimator: {@code f} maps the scores to outcome scores placed on the last token. */
    static AdvantageEstimator returnBased(PerSequence outcome) {
        return new AdvantageEstimator() {
            @Override
            public Result estimate(Input in) {
                NDArray tokenRewards = Advantages.outcomeTokenRewards(
                        outcome.advantages(in.scores(), in.groups(), in.mask(), in.options()), in.mask());
                if (in.klPenalty() != null) {
                    tokenRewards = tokenRewards.sub(
                            in.klPenalty().stopGradient().mul(Masked.weights(in.mask(), in.klPenalty())));
                }
                return new Result(
                        Advantages.reinforcePlusPlus(
                                tokenRewards, in.mask(), in.options().gamma()),
                        null);
            }

            @Override
            public boolean returnBased() {
                return true;
            }
        };
    }

    /** An estimator that needs the critic's values (and may take an in-reward KL penalty), such as GAE. */
    static AdvantageEstimator withCritic(java.util.function.Function<Input, Result> f) {
        return new AdvantageEstimator() {
            @Override
            public Result estimate(Input in) {
                return f.apply(in);
            }

            @Override
            public boolean needsCritic() {
                return true;
            }

            @Override
            public boolean returnBased() {
                return true;
            }
        };
    }
}
