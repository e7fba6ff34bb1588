package dev.alpharl.algorithms;

/** The advantage estimators, named as in verl's {@code adv_estimator} where verl has the name. */
public enum AdvantageEstimator {
    /** PPO with a critic: {@link Advantages#gae}. */
    GAE("gae"),
    /** Group z-score: {@link Advantages#grpo} with {@link RewardScaling#GROUP}. */
    GRPO("grpo"),
    /** Group mean only: {@link Advantages#drGrpo}. */
    DR_GRPO("dr_grpo"),
    /** Leave-one-out baseline: {@link Advantages#rloo}. */
    RLOO("rloo"),
    /** Discounted return, globally whitened: {@link Advantages#reinforcePlusPlus}. */
    REINFORCE_PP("reinforce_pp", "reinforce_plus_plus", "reinforce++"),
    /** Group-centred reward, then return and global whitening: {@link Advantages#reinforcePlusPlusBaseline}. */
    REINFORCE_PP_BASELINE("reinforce_pp_baseline", "reinforce_plus_plus_baseline", "reinforce++-baseline");

    private final String[] names;

    AdvantageEstimator(String... names) {
        this.names = names;
    }

    public String configName() {
        return names[0];
    }

    /** Whether the estimator needs a critic's value predictions. */
    public boolean needsCritic() {
        return this == GAE;
    }

    public static AdvantageEstimator fromConfigName(String name) {
        return ConfigNames.parse(AdvantageEstimator.class, "advantage estimator", name, e -> e.names);
    }
}
