package dev.alpharl.datasets.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.alpharl.datasets.PromptSample;

/** Maps one JSON object (one JSONL line) to a {@link PromptSample}. */
public interface RecordFormat {

    /**
     * @param record     the parsed JSON object
     * @param fallbackId the id to use when the record carries none (the reader passes {@code <file stem>-<line>})
     * @throws MalformedRecordException naming the field and what was expected
     */
    PromptSample map(JsonNode record, String fallbackId);

    /** GSM8K: {@code question}, {@code answer} = solution ending in {@code #### <number>}. */
    static RecordFormat gsm8k() {
        return new Gsm8kFormat();
    }

    /** MATH / MATH-500: {@code problem}, gold from {@code answer} when present, else the last boxed in {@code solution}. */
    static RecordFormat math() {
        return new MathFormat();
    }

    /** DAPO-Math / verl parquet rows as JSONL: {@code prompt} (string or chat list), {@code reward_model.ground_truth}. */
    static RecordFormat dapo() {
        return new DapoFormat();
    }

    /** Configurable dotted paths; with defaults it reads what {@link JsonlWriter} writes. */
    static RecordFormat generic(String promptPath, String answerPath, String idPath) {
        return new GenericFormat(promptPath, answerPath, idPath);
    }
}
