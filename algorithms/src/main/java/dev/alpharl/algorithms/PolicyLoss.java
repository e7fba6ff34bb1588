package dev.alpharl.algorithms;

/** The policy-loss families, by config name. */
public enum PolicyLoss {
    /** {@link PolicyLosses#ppoClip}; verl calls it "vanilla". */
    PPO_CLIP("ppo-clip", "vanilla", "ppo_clip"),
    /** {@link PolicyLosses#gspo}. */
    GSPO("gspo"),
    /** {@link PolicyLosses#cispo}. */
    CISPO("cispo");

    private final String[] names;

    PolicyLoss(String... names) {
        this.names = names;
    }

    public String configName() {
        return names[0];
    }

    public static PolicyLoss fromConfigName(String name) {
        return ConfigNames.parse(PolicyLoss.class, "policy loss", name, e -> e.names);
    }
}
