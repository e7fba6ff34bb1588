package dev.alpharl.trainer.rollout;

import dev.alpharl.datasets.PromptSample;
import dev.alpharl.datasets.PromptTemplate;
import dev.alpharl.trainer.model.ChatMessage;
import dev.alpharl.trainer.model.ChatTemplate;
import dev.alpharl.trainer.model.QwenTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a dataset sample into model input: the question goes through the prompt template (e.g. appending "put your
 * final answer within \boxed{}"), then through the chat template (ChatML, Qwen3, plain text), then the tokenizer.
 * Training and evaluation share one encoder, so their prompts are identical.
 */
public record PromptEncoder(
        PromptTemplate promptTemplate,
        ChatTemplate chatTemplate,
        String systemPrompt,
        QwenTokenizer tokenizer,
        int keepLastTokens) {

    /** An encoder that never truncates. */
    public PromptEncoder(
            PromptTemplate promptTemplate, ChatTemplate chatTemplate, String systemPrompt, QwenTokenizer tokenizer) {
        this(promptTemplate, chatTemplate, systemPrompt, tokenizer, 0);
    }

    /**
     * The same encoder keeping only the last {@code n} tokens of a longer prompt (data.truncate-prompts: left);
     * 0: none cut.
     */
    public PromptEncoder truncatingLeftTo(int n) {
        return new PromptEncoder(promptTemplate, chatTemplate, systemPrompt, tokenizer, n);
    }

    /** The model text of a sample's prompt (with the generation prompt appended). */
    public String render(PromptSample sample) {
        String user = promptTemplate.render(sample.prompt());
        if (systemPrompt == null || systemPrompt.isEmpty()) {
            return chatTemplate.prompt(user);
        }
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(systemPrompt));
        messages.add(ChatMessage.user(user));
        return chatTemplate.render(messages, true);
    }

    /** The token ids of {@link #render}, without their first tokens beyond {@link #keepLastTokens} when set. */
    public long[] encode(PromptSample sample) {
        return keepLast(tokenizer.encode(render(sample)), keepLastTokens);
    }

    /** The last {@code n} ids of a longer prompt, as truncation_side=left does; {@code ids} itself otherwise. */
    public static long[] keepLast(long[] ids, int n) {
        return n > 0 && ids.length > n ? java.util.Arrays.copyOfRange(ids, ids.length - n, ids.length) : ids;
    }
}
