package dev.alpharl.rewards;

import java.util.Map;

/** A test reward with a fixed score. */
record Constant(String name, double value) implements RewardFunction {
    @Override
    public RewardResult score(String prompt, String completion, Map<String, Object> fields) {
        return RewardResult.of(value, Map.of("value", value));
    }
}
