package dev.alpharl.trainer.model;

import java.util.Objects;

/**
 * One turn of a conversation for {@link ChatTemplate}.
 *
 * @param role "system", "user" or "assistant"
 * @param content the text of the turn; an assistant turn may hold {@code <think>…</think>} reasoning in it
 * @param reasoningContent separate reasoning of an assistant turn (HF's {@code reasoning_content}); null when absent.
 *     When set, Qwen3 uses it instead of parsing {@code content}.
 */
public record ChatMessage(String role, String content, String reasoningContent) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content, null);
    }

    public static ChatMessage assistant(String content, String reasoningContent) {
        return new ChatMessage("assistant", content, reasoningContent);
    }
}
