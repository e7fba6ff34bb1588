package dev.alpharl.datasets.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.alpharl.datasets.PromptSample;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Prompt and answer at configurable dotted paths (the prompt may be a string or a chat list; the answer a string or
 * a number), an optional id path, and every other top-level field copied into {@link PromptSample#fields()}. With
 * the defaults (prompt, answer, id) it reads back what {@link JsonlWriter} writes.
 */
final class GenericFormat implements RecordFormat {

    private final String promptPath;
    private final String answerPath;
    private final String idPath;

    GenericFormat(String promptPath, String answerPath, String idPath) {
        this.promptPath = Objects.requireNonNull(promptPath, "promptPath");
        this.answerPath = Objects.requireNonNull(answerPath, "answerPath");
        this.idPath = Objects.requireNonNull(idPath, "idPath");
    }

    @Override
    public PromptSample map(JsonNode record, String fallbackId) {
        String prompt = JsonFields.requirePrompt(record, promptPath);
        String answer = JsonFields.requireScalarText(record, answerPath);
        String id = JsonFields.idOr(record, idPath, fallbackId);
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : record.properties()) {
            String key = e.getKey();
            if (!isRoot(key, promptPath)
                    && !isRoot(key, answerPath)
                    && !isRoot(key, idPath)
                    && !e.getValue().isNull()) {
                fields.put(key, JsonFields.toJava(e.getValue()));
            }
        }
        return new PromptSample(id, prompt, answer, fields);
    }

    private static boolean isRoot(String key, String path) {
        return path.equals(key) || path.startsWith(key + ".");
    }
}
