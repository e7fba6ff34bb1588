package dev.alpharl.trainer.model;

import static dev.alpharl.trainer.model.ChatMessage.assistant;
import static dev.alpharl.trainer.model.ChatMessage.system;
import static dev.alpharl.trainer.model.ChatMessage.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected strings are the literals of QWEN.md §6 and renderings of the Qwen3 Jinja template it describes. */
class ChatTemplateTest {

    @Test
    void chatmlAddsQwensDefaultSystemTurn() {
        assertThat(ChatTemplate.named("chatml").prompt("Hi"))
                .isEqualTo(
                        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void chatmlUsesAGivenSystemTurnAndRendersHistoryVerbatim() {
        List<ChatMessage> conversation =
                List.of(system("Be brief."), user("Hi"), assistant("<think>x</think>Hello"), user("Bye"));
        assertThat(ChatTemplate.CHATML.render(conversation, false))
                .isEqualTo("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                        + "<|im_start|>assistant\n<think>x</think>Hello<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n");
    }

    @Test
    void qwen25MathIsTheBoxedCotPrompt() {
        String question = "What is 37 + 48?";
        assertThat(ChatTemplate.named("qwen25-math").prompt(question))
                .isEqualTo(
                        "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n"
                                + "<|im_start|>user\n" + question + "<|im_end|>\n<|im_start|>assistant\n");
        assertThat(ChatTemplate.BOXED_COT_SYSTEM).contains("\\boxed{}").doesNotContain("\\\\");
    }

    @Test
    void qwen3SingleTurnWithAndWithoutThinking() {
        String q = "What is 2+2?";
        assertThat(ChatTemplate.named("qwen3").prompt(q))
                .isEqualTo("<|im_start|>user\n" + q + "<|im_end|>\n<|im_start|>assistant\n");
        assertThat(ChatTemplate.named("qwen3-no-think").prompt(q))
                .isEqualTo("<|im_start|>user\n" + q + "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
    }

    @Test
    void qwen3HasNoDefaultSystemTurn() {
        assertThat(ChatTemplate.QWEN3.render(List.of(system("S"), user("U")), true))
                .isEqualTo("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");
        assertThat(ChatTemplate.QWEN3.render(List.of(user("U")), false)).isEqualTo("<|im_start|>user\nU<|im_end|>\n");
    }

    @Test
    void qwen3DropsEarlierReasoningAndKeepsTheFinalTurnsBlock() {
        List<ChatMessage> conversation = List.of(
                user("1+1?"),
                assistant("<think>\nadd them\n</think>\n\n2"),
                user("2+2?"),
                assistant("<think>\n\nadd again\n\n</think>\n\n4"));
        String expected = "<|im_start|>user\n1+1?<|im_end|>\n"
                + "<|im_start|>assistant\n2<|im_end|>\n" // before the last user turn: reasoning dropped
                + "<|im_start|>user\n2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nadd again\n</think>\n\n4<|im_end|>\n";
        assertThat(ChatTemplate.QWEN3.render(conversation, false)).isEqualTo(expected);
        // the history rule does not depend on the thinking switch; only the generation prompt does
        assertThat(ChatTemplate.QWEN3_NO_THINK.render(conversation, false)).isEqualTo(expected);
    }

    @Test
    void qwen3FinalAssistantTurnWithoutReasoningGetsTheEmptyBlock() {
        assertThat(ChatTemplate.QWEN3.render(List.of(user("Hi"), assistant("Hello")), false))
                .isEqualTo(
                        "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello<|im_end|>\n");
    }

    @Test
    void qwen3ReasoningFieldWinsAndNonFinalTurnsNeedReasoningForABlock() {
        // after the last real query: a turn with reasoning keeps its block, one without shows only its answer
        List<ChatMessage> conversation = List.of(
                user("Q"),
                assistant("call", "\nplan\n"),
                user("<tool_response>42</tool_response>"),
                assistant("no reasoning here"),
                user("<tool_response>7</tool_response>"),
                assistant("\nDone.", null));
        assertThat(ChatTemplate.QWEN3.render(conversation, false))
                .isEqualTo("<|im_start|>user\nQ<|im_end|>\n"
                        + "<|im_start|>assistant\n<think>\nplan\n</think>\n\ncall<|im_end|>\n"
                        + "<|im_start|>user\n<tool_response>42</tool_response><|im_end|>\n"
                        + "<|im_start|>assistant\nno reasoning here<|im_end|>\n"
                        + "<|im_start|>user\n<tool_response>7</tool_response><|im_end|>\n"
                        + "<|im_start|>assistant\n<think>\n\n</think>\n\nDone.<|im_end|>\n");
    }

    @Test
    void qwen3ReasoningIsTakenBetweenTheLastOpenBeforeTheFirstCloseAndAnswerAfterTheLastClose() {
        ChatMessage a = assistant("junk<think>\nr1\n</think>mid</think>\n\nans");
        assertThat(ChatTemplate.QWEN3.render(List.of(user("q"), a), false))
                .isEqualTo(
                        "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\nr1\n</think>\n\nans<|im_end|>\n");
        // before the last query the answer alone is kept (text after the last </think>, leading newlines removed)
        assertThat(ChatTemplate.QWEN3.render(List.of(user("q"), a, user("q2")), true))
                .isEqualTo("<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\nans<|im_end|>\n"
                        + "<|im_start|>user\nq2<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void plainIsTheTextItself() {
        ChatTemplate plain = ChatTemplate.named("plain");
        assertThat(plain.prompt("What is 2+2? Answer:")).isEqualTo("What is 2+2? Answer:");
        assertThat(plain.isChat()).isFalse();
        assertThat(ChatTemplate.CHATML.isChat()).isTrue();
        assertThat(ChatTemplate.QWEN25_MATH.isChat()).isTrue();
        assertThat(ChatTemplate.QWEN3_NO_THINK.isChat()).isTrue();
    }

    @Test
    void namesRoundTripAndUnknownNamesListTheChoices() {
        for (ChatTemplate t : ChatTemplate.values()) {
            assertThat(ChatTemplate.named(t.id())).isSameAs(t);
        }
        assertThatThrownBy(() -> ChatTemplate.named("llama3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'llama3'")
                .hasMessageContaining("chatml, qwen25-math, qwen3, qwen3-no-think, plain");
    }

    @Test
    void unsupportedRolesAreRejected() {
        assertThatThrownBy(
                        () -> ChatTemplate.QWEN3.render(List.of(user("q"), new ChatMessage("tool", "x", null)), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("message 1")
                .hasMessageContaining("'tool'");
    }
}
