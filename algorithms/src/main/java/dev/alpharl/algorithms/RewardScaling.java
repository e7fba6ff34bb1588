package dev.alpharl.algorithms;

/** How GRPO divides the group-centred rewards (TRL {@code scale_rewards}). */
public enum RewardScaling {
    /** Divide by the unbiased std of the sample's own group (GRPO). */
    GROUP("group"),
    /** Divide by the unbiased std of the whole batch, still subtracting the group mean. */
    BATCH("batch"),
    /** No division (Dr.GRPO). */
    NONE("none");

    private final String configName;

    RewardScaling(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static RewardScaling fromConfigName(String name) {
        for (RewardScaling s : values()) {
            if (s.configName.equalsIgnoreCase(name == null ? "" : name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                "unknown reward scaling '" + name + "'; expected one of: group, batch, none");
    }
}
