package dev.alpharl.algorithms;

/**
 * The registries a config names its algorithm axes from (ALGORITHMS.md §1). Adding an estimator, a loss, an
 * aggregation or a KL estimator is one pure function plus one line here.
 */
public final class Algorithms {

    public static final Registry<AdvantageEstimator> ADVANTAGES = new Registry<>("advantage estimator");
    public static final Registry<PolicyLoss> POLICY_LOSSES = new Registry<>("policy loss");
    public static final Registry<LossAggregation> AGGREGATIONS = new Registry<>("loss aggregation");
    public static final Registry<KlEstimator> KL_ESTIMATORS = new Registry<>("KL estimator");

    static {
        ADVANTAGES
                .register(AdvantageEstimator.withCritic(Advantages::ppoGae), "gae")
                .register(
                        AdvantageEstimator.outcome((r, g, m, o) -> Advantages.grpo(r, g, o.scaling(), o.eps())), "grpo")
                .register(AdvantageEstimator.outcome((r, g, m, o) -> Advantages.drGrpo(r, g)), "dr_grpo")
                .register(AdvantageEstimator.outcome((r, g, m, o) -> Advantages.rloo(r, g)), "rloo")
                .register(AdvantageEstimator.outcome((r, g, m, o) -> Advantages.opo(r, g, m)), "opo")
                .register(
                        AdvantageEstimator.returnBased((r, g, m, o) -> r),
                        "reinforce_pp",
                        "reinforce_plus_plus",
                        "reinforce++")
                .register(
                        AdvantageEstimator.returnBased((r, g, m, o) -> Advantages.drGrpo(r, g)),
                        "reinforce_pp_baseline",
                        "reinforce_plus_plus_baseline",
                        "reinforce++-baseline");

        POLICY_LOSSES
                .register((l, old, a, m, c) -> PolicyLosses.ppoClip(l, old, a, c), "clip", "ppo-clip", "vanilla")
                .register(PolicyLosses::gspo, "gspo")
                .register((l, old, a, m, c) -> PolicyLosses.cispo(l, old, a, c), "cispo");

        AGGREGATIONS
                .register(LossAggregation.tokenSum(LossAggregation.Normaliser.TOKENS), "token-mean")
                .register(LossAggregation.sequenceMeans(), "seq-mean-token-mean")
                .register(LossAggregation.tokenSum(LossAggregation.Normaliser.SEQUENCES), "seq-mean-token-sum")
                .register(
                        LossAggregation.tokenSum(LossAggregation.Normaliser.CONSTANT),
                        "constant-norm",
                        "seq-mean-token-sum-norm");

        KL_ESTIMATORS
                .register(KlEstimators::k1, "k1", "kl")
                .register(KlEstimators::k2, "k2", "mse")
                .register(KlEstimators::k3, "k3", "low_var_kl")
                .register(KlEstimators::abs, "abs")
                .register(KlEstimators::k1Plus, "k1+", "kl+")
                .register(KlEstimators::k3Plus, "k3+", "low_var_kl+");
    }

    private Algorithms() {}
}
