package dev.alpharl.datasets.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.alpharl.datasets.PromptSample;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * GSM8K rows {@code {"question": ..., "answer": "<reasoning>\n#### 1,234"}}: the gold answer is the text after the
 * last {@code ####}, with thousands separators removed ({@code "1234"}). The full solution is kept in field
 * {@code solution}.
 */
final class Gsm8kFormat implements RecordFormat {

    private static final Pattern GROUPED_NUMBER = Pattern.compile("[-+]?\\d{1,3}(,\\d{3})+(\\.\\d+)?");

    @Override
    public PromptSample map(JsonNode record, String fallbackId) {
        String question = JsonFields.requireString(record, "question");
        String solution = JsonFields.requireString(record, "answer");
        return new PromptSample(JsonFields.idOr(record, "id", fallbackId), question, goldAnswer(solution),
                Map.of("solution", solution));
    }

    static String goldAnswer(String solution) {
        int mark = solution.lastIndexOf("####");
        String gold = mark < 0 ? "" : solution.substring(mark + 4).trim();
        if (gold.isEmpty()) {
            throw new MalformedRecordException("field 'answer': expected a solution ending in '#### <answer>', got "
                    + (solution.length() > 60 ? "..." + solution.substring(solution.length() - 57) : solution));
        }
        return GROUPED_NUMBER.matcher(gold).matches() ? gold.replace(",", "") : gold;
    }
}
