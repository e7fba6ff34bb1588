package dev.alpharl.trainer.rollout;

import dev.alpharl.rewards.RewardResult;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a scored completion is correct, read from the reward's diagnostics: the math and countdown rewards report
 * {@code correct}; a weighted sum reports {@code <name>/correct} per term, and the first such term decides (list the
 * correctness reward first). A reward without a correctness verdict cannot give accuracy.
 */
public final class Correctness {

    private Correctness() {}

    /** The verdict, empty when the reward gives none; an errored reward call counts as incorrect. */
    public static Optional<Boolean> of(RewardResult result) {
        if (result.error()) {
            return Optional.of(false);
        }
        for (Map.Entry<String, Object> e : result.diagnostics().entrySet()) {
            if (e.getKey().equals("correct") || e.getKey().endsWith("/correct")) {
                return Optional.of(Boolean.TRUE.equals(e.getValue()));
            }
        }
        return Optional.empty();
    }

    /** The verdict, required (accuracy needs one). */
    public static boolean require(RewardResult result) {
        return of(result)
                .orElseThrow(
                        () -> new IllegalStateException("the reward reports no 'correct' verdict " + "(diagnostics: "
                                + result.diagnostics().keySet() + "); list a math or countdown reward first"));
    }
}
