package dev.alpharl.trainer.config;

import dev.alpharl.datasets.PromptTemplate;
import dev.alpharl.trainer.model.ChatTemplate;
import java.util.Map;

/**
 * Prompt sources and how a prompt becomes model input. A source is a dataset spec for the datasets module, e.g.
 * {@code {kind: jsonl, path: data/gsm8k/train.jsonl, format: gsm8k}} or
 * {@code {kind: synthetic, task: arithmetic, size: 2000, seed: 1, split: train}}; relative paths are resolved
 * against the working directory, as a user types them on the command line.
 *
 * @param train           training prompt source
 * @param eval            evaluation prompt source (null: no evaluation)
 * @param validation      prompts that choose among AlphaRL's candidates (alpharl.validate); kept apart from eval so
 *                        that the reported accuracy is not the one a choice was made on (null: none)
 * @param promptTemplate  how a question becomes the user message: a built-in name (question, qwen-boxed, verl-math,
 *                        verl-gsm8k, dapo) or a text containing {question}
 * @param chatTemplate    how the user message becomes model text: plain, chatml, qwen25-math, qwen3, qwen3-no-think
 * @param systemPrompt    system message for chat templates (null: the template's default)
 * @param maxPromptTokens longer training prompts are dropped (and counted) when the run starts; with
 *                        rollout.max-new-tokens it must fit the model's max_position_embeddings (0: as many as fit,
 *                        max_position_embeddings − rollout.max-new-tokens)
 * @param truncatePrompts what becomes of an eval or validation prompt that does not fit the model with
 *                        rollout.max-new-tokens: none (the run is refused, naming the prompt and its length), or left
 *                        (its first tokens are cut, keeping the last ones, as Hugging Face's truncation_side=left)
 * @param evalLimit       evaluate on the first N eval prompts (0: all)
 * @param shuffle         reshuffle training prompts every epoch (false: file order, every epoch)
 */
public record DataConfig(
        @Required Map<String, String> train,
        Map<String, String> eval,
        Map<String, String> validation,
        @Default("question") String promptTemplate,
        @Default("plain") String chatTemplate,
        String systemPrompt,
        @Default("0") @Range(min = 0) int maxPromptTokens,
        @Default("0") @Range(min = 0) int evalLimit,
        @Default("true") boolean shuffle,
        @Default("none") Truncation truncatePrompts) {

    /** How a prompt too long for the model is handled (data.truncate-prompts). */
    public enum Truncation {
        NONE,
        LEFT
    }

    public DataConfig {
        try {
            PromptTemplate.parse(promptTemplate);
        } catch (IllegalArgumentException e) {
            throw new InvalidValue("prompt-template", e.getMessage());
        }
        try {
            ChatTemplate.named(chatTemplate);
        } catch (IllegalArgumentException e) {
            throw new InvalidValue("chat-template", e.getMessage());
        }
    }
}
