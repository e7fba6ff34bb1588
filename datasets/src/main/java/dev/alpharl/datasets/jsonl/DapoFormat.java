package dev.alpharl.datasets.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.alpharl.datasets.PromptSample;

/**
 * DAPO-Math-17k (verl layout): {@code prompt} is a chat list [{role, content}] (or a string) whose user content
 * already contains DAPO's instructions, so pair it with the {@code question} template; the gold answer is
 * {@code reward_model.ground_truth}; the id is {@code extra_info.index} when present. {@code data_source} is kept as
 * a field when present.
 */
final class DapoFormat implements RecordFormat {

    @Override
    public PromptSample map(JsonNode record, String fallbackId) {
        String prompt = JsonFields.requirePrompt(record, "prompt");
        String gold = JsonFields.requireScalarText(record, "reward_model.ground_truth");
        String id = JsonFields.idOr(record, "extra_info.index", JsonFields.idOr(record, "id", fallbackId));
        return new PromptSample(id, prompt, gold, JsonFields.copy(record, "data_source"));
    }
}
