package dev.alpharl.datasets.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.rewards.math.AnswerExtractor;
import dev.alpharl.rewards.math.AnswerNormalizer;
import java.util.Map;

/**
 * GSM8K rows {@code {"question": ..., "answer": "<reasoning>\n#### 1,234"}}: the gold answer is what follows the
 * last {@code ####} on its line ({@link AnswerExtractor#lastHash}), with thousands separators removed
 * ({@code "1234"}). The full solution is kept in field {@code solution}.
 */
final class Gsm8kFormat implements RecordFormat {

    @Override
    public PromptSample map(JsonNode record, String fallbackId) {
        String question = JsonFields.requireString(record, "question");
        String solution = JsonFields.requireString(record, "answer");
        String gold = AnswerExtractor.lastHash(solution)
                .orElseThrow(() -> new MalformedRecordException(
                        "field 'answer': expected a solution ending in '#### <answer>', got "
                                + (solution.length() > 60
                                        ? "..." + solution.substring(solution.length() - 57)
                                        : solution)));
        return new PromptSample(
                JsonFields.idOr(record, "id", fallbackId),
                question,
                AnswerNormalizer.stripThousandsSeparators(gold),
                Map.of("solution", solution));
    }
}
