package dev.alpharl.trainer.config;

/**
 * Prompt sources. A source is a JSONL file path, or a synthetic task name understood by the datasets module;
 * both are resolved when the run starts.
 *
 * @param train           training prompts
 * @param eval            evaluation prompts (null: no evaluation)
 * @param promptField     JSONL field holding the prompt (null: the source's format decides)
 * @param answerField     JSONL field holding the reference answer (null: the source's format decides)
 * @param template        prompt template: {@code chat} (the model's chat template) or {@code plain}
 * @param systemPrompt    system message for the chat template (null: none)
 * @param maxPromptTokens longer prompts are dropped
 * @param evalLimit       evaluate on the first N eval prompts (0: all)
 * @param shuffle         reshuffle training prompts every epoch
 */
public record DataConfig(
        @Required String train,
        String eval,
        String promptField,
        String answerField,
        @Default("chat") Template template,
        String systemPrompt,
        @Default("512") @Range(min = 1) int maxPromptTokens,
        @Default("0") @Range(min = 0) int evalLimit,
        @Default("true") boolean shuffle) {

    public enum Template { CHAT, PLAIN }
}
