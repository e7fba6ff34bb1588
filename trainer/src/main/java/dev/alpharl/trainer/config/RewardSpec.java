package dev.alpharl.trainer.config;

import java.util.Map;

/**
 * One reward function of the run's weighted sum.
 *
 * @param name    reward function name (resolved by the rewards module at run start)
 * @param weight  its weight in the sum
 * @param options function-specific settings, as text
 */
public record RewardSpec(
        @Required String name, @Default("1.0") double weight, Map<String, String> options) {}
