package dev.alpharl.trainer.model;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Prompt formats of the Qwen family, hard-coded to render exactly what the models' Jinja chat templates render
 * (QWEN.md §6; no tools). Jinja is not embedded: the available Java engines fail on the Qwen3 template.
 *
 * <p>Messages have role "system", "user" or "assistant"; anything else is rejected. No BOS is ever added.
 */
public enum ChatTemplate {

    /** Qwen2 / Qwen2.5-Instruct ChatML, with Qwen's default system turn when the first message is not a system one. */
    CHATML("chatml"),
    /** Qwen2.5-Math: ChatML whose default system turn is the boxed chain-of-thought instruction. */
    QWEN25_MATH("qwen25-math"),
    /** Qwen3 with thinking on: no default system turn; the model opens {@code <think>} itself. */
    QWEN3("qwen3"),
    /** Qwen3 with {@code enable_thinking=false}: the generation prompt ends with an empty think block. */
    QWEN3_NO_THINK("qwen3-no-think"),
    /** The text itself: message contents concatenated, no markup, no generation prompt. */
    PLAIN("plain");

    /** Qwen2.5-Instruct's default system text. */
    public static final String QWEN_DEFAULT_SYSTEM =
            "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
    /** Qwen2.5-Math's default system text (literal backslash), the "qwen25-math-cot" prompt of eval and RL code. */
    public static final String BOXED_COT_SYSTEM =
            "Please reason step by step, and put your final answer within \\boxed{}.";

    private static final String START = "<|im_start|>";
    private static final String END = "<|im_end|>\n";
    private static final String THINK_OPEN = "<think>";
    private static final String THINK_CLOSE = "</think>";
    private static final String EMPTY_THINK_BLOCK = "<think>\n\n</think>\n\n";

    private final String id;

    ChatTemplate(String id) {
        this.id = id;
    }

    /** The template called {@code name} ("chatml", "qwen25-math", "qwen3", "qwen3-no-think", "plain"). */
    public static ChatTemplate named(String name) {
        for (ChatTemplate t : values()) {
            if (t.id.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown chat template '" + name + "'; expected one of "
                + Arrays.stream(values()).map(ChatTemplate::id).collect(Collectors.joining(", ")));
    }

    /** The name {@link #named} accepts. */
    public String id() {
        return id;
    }

    /** Whether prompts carry ChatML turn markers (then {@code <|im_end|>} ends a completion). */
    public boolean isChat() {
        return this != PLAIN;
    }

    /** A single user turn followed by the generation prompt (for {@link #PLAIN}: the text itself). */
    public String prompt(String userText) {
        return render(List.of(ChatMessage.user(userText)), true);
    }

    /**
     * The conversation as the model sees it.
     *
     * @param addGenerationPrompt append the opening of an assistant turn (ignored by {@link #PLAIN})
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).role();
            if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
                throw new IllegalArgumentException("message " + i + ": role '" + role + "' is not supported by the "
                        + id + " template; expected system, user or assistant");
            }
        }
        return switch (this) {
            case CHATML -> chatMl(messages, QWEN_DEFAULT_SYSTEM, addGenerationPrompt);
            case QWEN25_MATH -> chatMl(messages, BOXED_COT_SYSTEM, addGenerationPrompt);
            case QWEN3 -> qwen3(messages, addGenerationPrompt, true);
            case QWEN3_NO_THINK -> qwen3(messages, addGenerationPrompt, false);
            case PLAIN -> messages.stream().map(ChatMessage::content).collect(Collectors.joining());
        };
    }

    @Override
    public String toString() {
        return id;
    }

    /** Qwen2.5 template: every turn verbatim; a default system turn unless the first message is a system one. */
    private static String chatMl(List<ChatMessage> messages, String defaultSystem, boolean addGenerationPrompt) {
        StringBuilder out = new StringBuilder();
        if (messages.isEmpty() || !messages.get(0).role().equals("system")) {
            turn(out, "system", defaultSystem);
        }
        for (ChatMessage m : messages) {
            turn(out, m.role(), m.content());
        }
        if (addGenerationPrompt) {
            out.append(START).append("assistant\n");
        }
        return out.toString();
    }

    /**
     * Qwen3 template. Let q* be the last user message that is not a {@code <tool_response>…</tool_response>} wrapper.
     * An assistant turn after q* that is the last message or has reasoning shows its reasoning in a think block;
     * every other assistant turn shows only its answer (earlier reasoning is dropped).
     */
    private static String qwen3(List<ChatMessage> messages, boolean addGenerationPrompt, boolean thinking) {
        int n = messages.size();
        int lastQuery = n - 1;
        for (int i = n - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m.role().equals("user") && !isToolResponse(m.content())) {
                lastQuery = i;
                break;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            ChatMessage m = messages.get(i);
            if (!m.role().equals("assistant")) {
                turn(out, m.role(), m.content()); // a system message renders only where it is, first or not
                continue;
            }
            String answer = m.content();
            String reasoning = "";
            if (m.reasoningContent() != null) {
                reasoning = m.reasoningContent();
            } else if (answer.contains(THINK_CLOSE)) {
                String beforeFirstClose = answer.substring(0, answer.indexOf(THINK_CLOSE));
                String inner = stripNewlines(beforeFirstClose, false, true);
                int open = inner.lastIndexOf(THINK_OPEN);
                reasoning = stripNewlines(open < 0 ? inner : inner.substring(open + THINK_OPEN.length()), true, false);
                answer = stripNewlines(
                        answer.substring(answer.lastIndexOf(THINK_CLOSE) + THINK_CLOSE.length()), true, false);
            }
            out.append(START).append("assistant\n");
            if (i > lastQuery && (i == n - 1 || !reasoning.isEmpty())) {
                out.append(THINK_OPEN)
                        .append('\n')
                        .append(stripNewlines(reasoning, true, true))
                        .append('\n')
                        .append(THINK_CLOSE)
                        .append("\n\n")
                        .append(stripNewlines(answer, true, false));
            } else {
                out.append(answer);
            }
            out.append(END);
        }
        if (addGenerationPrompt) {
            out.append(START).append("assistant\n");
            if (!thinking) {
                out.append(EMPTY_THINK_BLOCK);
            }
        }
        return out.toString();
    }

    private static boolean isToolResponse(String content) {
        return content.startsWith("<tool_response>") && content.endsWith("</tool_response>");
    }

    private static void turn(StringBuilder out, String role, String content) {
        out.append(START).append(role).append('\n').append(content).append(END);
    }

    /** Python's {@code lstrip('\n')} / {@code rstrip('\n')} / {@code strip('\n')}. */
    private static String stripNewlines(String s, boolean leading, boolean trailing) {
        int from = 0;
        int to = s.length();
        while (leading && from < to && s.charAt(from) == '\n') {
            from++;
        }
        while (trailing && to > from && s.charAt(to - 1) == '\n') {
            to--;
        }
        return s.substring(from, to);
    }
}
