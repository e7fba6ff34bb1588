package dev.alpharl.trainer.alpharl;

import java.util.Map;

/**
 * One recorded training step: the step number, the mean rollout reward of the steps since the previous snapshot
 * (this one included), the held-out accuracy when one was
 * measured, and a {@link MatrixSnapshot} per tracked matrix (in tracking order).
 */
public record Snapshot(long step, double meanReward, Double evalAccuracy, Map<String, MatrixSnapshot> matrices) {

    public Snapshot {
        matrices = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(matrices));
    }
}
