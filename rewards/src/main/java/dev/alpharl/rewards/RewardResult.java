package dev.alpharl.rewards;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The score of one completion plus what led to it (extracted answer, format verdict…). A failed call
 * ({@code error} true) carries the configured fallback score and the reason, so a failure is never a silent 0.
 */
public record RewardResult(double score, Map<String, Object> diagnostics, boolean error, String errorMessage) {

    public RewardResult {
        diagnostics = Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
    }

    public static RewardResult of(double score, Map<String, Object> diagnostics) {
        return new RewardResult(score, diagnostics, false, null);
    }

    public static RewardResult failed(double fallbackScore, String message) {
        return new RewardResult(fallbackScore, Map.of(), true, message);
    }

    /** The result as a flat map for one JSONL output line: score, error, error_message when failed, diagnostics. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("score", score);
        out.put("error", error);
        if (error) out.put("error_message", errorMessage);
        out.putAll(diagnostics);
        return out;
    }
}
