package dev.alpharl.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {

    @Test
    void qwenBoxedAppendsTheCotSentenceWithALiteralBackslash() {
        assertThat(PromptTemplate.parse("qwen-boxed").render("What is 1+1?"))
                .isEqualTo("What is 1+1?\nPlease reason step by step, and put your final answer within \\boxed{}.");
    }

    @Test
    void onlyThePlaceholderIsReplaced() {
        PromptTemplate t = PromptTemplate.parse("Q: {question}\nA: \\boxed{} {answer}");
        assertThat(t.name()).isEqualTo("custom");
        assertThat(t.render("x={y}")).isEqualTo("Q: x={y}\nA: \\boxed{} {answer}");
        PromptSample s = new PromptSample("1", "2+2?", "4", Map.of("k", 1));
        assertThat(t.apply(s)).isEqualTo(new PromptSample("1", "Q: 2+2?\nA: \\boxed{} {answer}", "4", Map.of("k", 1)));
    }

    @Test
    void builtInsAreListedAndUnknownNamesAreErrors() {
        assertThat(PromptTemplate.builtIns()).containsKeys("question", "qwen-boxed", "verl-math", "verl-gsm8k", "dapo");
        assertThat(PromptTemplate.parse("question").render("q")).isEqualTo("q");
        assertThat(PromptTemplate.parse("dapo").render("Q"))
                .startsWith("Solve the following math problem step by step.")
                .contains("\n\nQ\n\n")
                .endsWith("after \"Answer:\".");
        assertThatThrownBy(() -> PromptTemplate.parse("qwen-boxd"))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("unknown prompt template 'qwen-boxd'")
                .hasMessageContaining("qwen-boxed");
        assertThatThrownBy(() -> PromptTemplate.of("no placeholder")).hasMessageContaining("{question}");
    }

    @Test
    void lengthFilterKeepsPromptsWithinTheBudgetAndCountsTheRest() {
        List<PromptSample> samples = List.of(
                new PromptSample("a", "one two three", "1"),
                new PromptSample("b", "one two three four five", "2"),
                new PromptSample("c", "one two three four", "3"),
                new PromptSample("d", "one", "4"));
        ToIntFunction<String> words = s -> s.split("\\s+").length;
        MaxPromptLength.Result r = MaxPromptLength.filter(samples, words, 4);
        assertThat(r.kept()).extracting(PromptSample::id).containsExactly("a", "c", "d"); // 4 tokens is within
        assertThat(r.dropped()).isEqualTo(1);
        assertThat(r.droppedIds()).containsExactly("b");
        // the counter sees the rendered prompt when the caller composes the template into it (+12 words)
        PromptTemplate t = PromptTemplate.QWEN_BOXED;
        MaxPromptLength.Result templated = MaxPromptLength.filter(samples, s -> words.applyAsInt(t.render(s)), 15);
        assertThat(templated.kept()).extracting(PromptSample::id).containsExactly("a", "d");
        assertThatThrownBy(() -> MaxPromptLength.filter(samples, words, 0)).isInstanceOf(DatasetException.class);
    }
}
