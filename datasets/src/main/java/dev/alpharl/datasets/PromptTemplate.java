package dev.alpharl.datasets;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a question into the user-turn text the model sees, by substituting {@code {question}} in a template.
 * Only the literal placeholder {@code {question}} is replaced, so LaTeX braces such as {@code \boxed{}} are safe.
 * Chat templating (ChatML and the system turn) is the trainer's tokenizer's job, not this class's.
 * Train and eval must use the identical template (ALGORITHMS.md §9).
 */
public record PromptTemplate(String name, String text) {

    public static final String PLACEHOLDER = "{question}";

    /** The question unchanged; use it with DAPO-Math, whose prompts already carry their instructions. */
    public static final PromptTemplate QUESTION = new PromptTemplate("question", PLACEHOLDER);

    /** Qwen2.5-Math CoT sentence appended to the user turn (QWEN.md §6, "qwen-boxed" in ALGORITHMS.md §9). */
    public static final PromptTemplate QWEN_BOXED = new PromptTemplate(
            "qwen-boxed", "{question}\nPlease reason step by step, and put your final answer within \\boxed{}.");

    /** verl's MATH example suffix. */
    public static final PromptTemplate VERL_MATH = new PromptTemplate(
            "verl-math", "{question} Let's think step by step and output the final answer within \\boxed{}.");

    /** verl's GSM8K example suffix. */
    public static final PromptTemplate VERL_GSM8K = new PromptTemplate(
            "verl-gsm8k", "{question} Let's think step by step and output the final answer after \"####\".");

    /** DAPO's prefix and suffix, for raw questions (DAPO-Math-17k prompts already contain them). */
    public static final PromptTemplate DAPO = new PromptTemplate(
            "dapo",
            "Solve the following math problem step by step. The last line of your response should be of the form "
                    + "Answer: $Answer (without quotes) where $Answer is the answer to the problem.\n\n{question}\n\n"
                    + "Remember to put your answer on its own line after \"Answer:\".");

    private static final Map<String, PromptTemplate> BUILT_INS = new LinkedHashMap<>();

    static {
        for (PromptTemplate t : new PromptTemplate[] {QUESTION, QWEN_BOXED, VERL_MATH, VERL_GSM8K, DAPO}) {
            BUILT_INS.put(t.name, t);
        }
    }

    public PromptTemplate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
        if (!text.contains(PLACEHOLDER)) {
            throw new DatasetException(
                    "prompt template '" + name + "' must contain the placeholder " + PLACEHOLDER + ": " + text);
        }
    }

    /** A custom template (its name is "custom"). */
    public static PromptTemplate of(String text) {
        return new PromptTemplate("custom", text);
    }

    /**
     * A built-in by name, or a custom template when the value contains {@code {question}}.
     *
     * @throws DatasetException naming the built-ins when the value is neither
     */
    public static PromptTemplate parse(String nameOrText) {
        PromptTemplate builtIn = BUILT_INS.get(nameOrText);
        if (builtIn != null) {
            return builtIn;
        }
        if (nameOrText.contains(PLACEHOLDER)) {
            return of(nameOrText);
        }
        throw new DatasetException("unknown prompt template '" + nameOrText + "': expected one of " + BUILT_INS.keySet()
                + " or a template text containing " + PLACEHOLDER);
    }

    public static Map<String, PromptTemplate> builtIns() {
        return java.util.Collections.unmodifiableMap(BUILT_INS);
    }

    public String render(String question) {
        return text.replace(PLACEHOLDER, question);
    }

    /** The sample with its prompt rendered through this template. */
    public PromptSample apply(PromptSample sample) {
        return sample.withPrompt(render(sample.prompt()));
    }
}
