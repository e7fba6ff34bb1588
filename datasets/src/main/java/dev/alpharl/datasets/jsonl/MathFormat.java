package dev.alpharl.datasets.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.rewards.math.AnswerExtractor;
import java.util.Map;

/**
 * MATH rows {@code {"problem", "solution", "level", "type"}} and MATH-500 rows (which add {@code answer} and
 * {@code unique_id}). The gold answer is {@code answer} when present, else the content of the last box in
 * {@code solution} ({@link AnswerExtractor#finalBoxed}). {@code solution}, {@code level}, {@code type},
 * {@code subject} are kept as fields when present.
 */
final class MathFormat implements RecordFormat {

    @Override
    public PromptSample map(JsonNode record, String fallbackId) {
        String problem = JsonFields.requireString(record, "problem");
        String gold;
        if (JsonFields.find(record, "answer") != null) {
            gold = JsonFields.requireScalarText(record, "answer");
        } else {
            String solution = JsonFields.requireString(record, "solution");
            gold = AnswerExtractor.finalBoxed(solution)
                    .orElseThrow(() -> new MalformedRecordException(
                            "field 'solution': expected a complete \\boxed{...} answer as its last box (and no 'answer' field"
                                    + " is present)"));
        }
        Map<String, Object> fields = JsonFields.copy(record, "solution", "level", "type", "subject");
        String id =
                JsonFields.idOr(record, JsonFields.find(record, "unique_id") != null ? "unique_id" : "id", fallbackId);
        return new PromptSample(id, problem, gold, fields);
    }
}
