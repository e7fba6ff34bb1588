package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class FormatRewardTest {
    private static double score(FormatReward f, String prompt, String completion) {
        return f.score(prompt, completion, Map.of()).score();
    }

    @Test
    void boxed() {
        FormatReward f = new FormatReward(FormatReward.Kind.BOXED, null, false, 1.0, 0.0);
        assertThat(score(f, "", "so $\\boxed{\\frac{1}{2}}$")).isEqualTo(1.0);
        assertThat(score(f, "", "so $\\boxed{}$")).isEqualTo(0.0);
        assertThat(score(f, "", "so $\\boxed{\\frac{1}{2}$")).isEqualTo(0.0);
        assertThat(score(f, "", "so 1/2")).isEqualTo(0.0);
    }

    @Test
    void thinkWellFormedness() {
        FormatReward f = new FormatReward(FormatReward.Kind.THINK, null, false, 0.2, -0.2);
        assertThat(score(f, "", "<think>\nreasoning\n</think>\n\nThe answer is 5."))
                .isEqualTo(0.2);
        assertThat(score(f, "<|im_start|>assistant\n<think>\n", "reasoning\n</think>\nThe answer is 5."))
                .isEqualTo(0.2);
        assertThat(score(f, "", "reasoning\n</think>\nThe answer is 5.")).isEqualTo(-0.2); // nobody opened it
        assertThat(score(f, "", "<think>reasoning without end. The answer is 5."))
                .isEqualTo(-0.2);
        assertThat(score(f, "", "<think>a</think><think>b</think> 5")).isEqualTo(-0.2);
        assertThat(score(f, "", "<think>a</think>   \n")).isEqualTo(-0.2); // nothing after the reasoning
        assertThat(score(f, "", "Sure! <think>a</think> 5")).isEqualTo(-0.2); // does not open the completion
        RewardResult r = f.score("", "<think>a", Map.of());
        assertThat(r.diagnostics()).containsEntry("format_ok", false).containsKey("format_problem");
    }

    @Test
    void r1Template() {
        FormatReward f = new FormatReward(FormatReward.Kind.R1, null, false, 1.0, 0.0);
        assertThat(score(f, "", "<think>a\nb</think>\n<answer>5</answer>")).isEqualTo(1.0);
        assertThat(score(f, "Assistant: <think>", "a</think> <answer>5</answer>"))
                .isEqualTo(1.0);
        assertThat(score(f, "", "<think>a</think> <answer>5</answer> trailing text"))
                .isEqualTo(0.0);
        assertThat(score(f, "", "<answer>5</answer>")).isEqualTo(0.0);
    }

    @Test
    void regexFindAndFull() {
        Pattern p = Pattern.compile("Answer: \\d+", Pattern.DOTALL);
        assertThat(score(new FormatReward(FormatReward.Kind.REGEX, p, false, 1, 0), "", "work\nAnswer: 12"))
                .isEqualTo(1.0);
        assertThat(score(new FormatReward(FormatReward.Kind.REGEX, p, true, 1, 0), "", "work\nAnswer: 12"))
                .isEqualTo(0.0);
        assertThat(score(new FormatReward(FormatReward.Kind.REGEX, p, true, 1, 0), "", "Answer: 12"))
                .isEqualTo(1.0);
    }
}
