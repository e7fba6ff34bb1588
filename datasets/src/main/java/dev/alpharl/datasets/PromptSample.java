package dev.alpharl.datasets;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One training or evaluation prompt.
 *
 * @param id     stable identifier, unique within its dataset (used in logs and to fingerprint the data order)
 * @param prompt the question text before any prompt template or chat template is applied
 * @param answer the gold answer as a string (e.g. {@code "72"}, {@code "\frac{1}{2}"})
 * @param fields extra values for reward functions, e.g. Countdown's {@code numbers} (List&lt;Integer&gt;) and
 *               {@code target} (Integer); unmodifiable, iteration order preserved
 */
public record PromptSample(String id, String prompt, String answer, Map<String, Object> fields) {

    /** The field holding a worked solution (text ending in the answer): what {@code sft} trains on when present. */
    public static final String SOLUTION = "solution";

    public PromptSample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(answer, "answer");
        fields = fields == null || fields.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public PromptSample(String id, String prompt, String answer) {
        this(id, prompt, answer, Map.of());
    }

    /** The same sample with another prompt text (e.g. after applying a {@link PromptTemplate}). */
    public PromptSample withPrompt(String newPrompt) {
        return new PromptSample(id, newPrompt, answer, fields);
    }
}
