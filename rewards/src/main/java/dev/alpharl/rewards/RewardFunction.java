package dev.alpharl.rewards;

import java.util.Map;

/**
 * Scores one completion. Implementations are stateless and thread-safe; they signal bad input (a missing gold
 * field, say) by throwing, and {@link GuardedReward} turns throws and timeouts into counted, logged errors.
 */
public interface RewardFunction {

    /** Sample field the trainer fills with the completion's length in tokens (read by the overlong shaping). */
    String COMPLETION_TOKENS = "completion_tokens";

    /** The registry name ("math", "format", …), used in diagnostics and logs. */
    String name();

    /**
     * @param prompt     the prompt text as given to the model (may be empty)
     * @param completion the generated text
     * @param fields     the sample's other fields, e.g. "answer", "numbers", "target", {@link #COMPLETION_TOKENS}
     */
    RewardResult score(String prompt, String completion, Map<String, Object> fields);

    /** Calls, errors and timeouts so far (zero for functions that run unguarded). */
    default RewardCounts counts() {
        return RewardCounts.NONE;
    }
}
