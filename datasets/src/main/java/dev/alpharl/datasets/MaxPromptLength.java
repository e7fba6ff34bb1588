package dev.alpharl.datasets;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Drops prompts longer than a token budget. The token counter is the trainer's: pass a function that renders the
 * prompt exactly as the model will see it (prompt template and chat template) and counts its tokens, so the limit
 * means what {@code data.max-prompt-tokens} says.
 */
public final class MaxPromptLength {

    /** What survived, and how many were dropped (with their ids, for the log). */
    public record Result(List<PromptSample> kept, List<String> droppedIds) {
        public int dropped() {
            return droppedIds.size();
        }
    }

    private MaxPromptLength() {}

    /** Keeps the samples whose {@code countTokens(sample.prompt())} is at most {@code maxTokens}, in order. */
    public static Result filter(List<PromptSample> samples, ToIntFunction<String> countTokens, int maxTokens) {
        if (maxTokens <= 0) {
            throw new DatasetException("max prompt tokens must be positive, got " + maxTokens);
        }
        List<PromptSample> kept = new ArrayList<>(samples.size());
        List<String> dropped = new ArrayList<>();
        for (PromptSample s : samples) {
            if (countTokens.applyAsInt(s.prompt()) <= maxTokens) {
                kept.add(s);
            } else {
                dropped.add(s.id());
            }
        }
        return new Result(List.copyOf(kept), List.copyOf(dropped));
    }
}
