package dev.alpharl.datasets.jsonl;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class BoxedAnswerTest {

    @Test
    void takesTheLastBoxedWithBalancedNestedBraces() {
        assertThat(BoxedAnswer.last("first \\boxed{1}, then \\boxed{\\frac{a^{2}}{\\sqrt{b}}} done"))
                .contains("\\frac{a^{2}}{\\sqrt{b}}");
    }

    @Test
    void escapedBracesAreLiteral() {
        assertThat(BoxedAnswer.last("$\\boxed{\\left\\{ x \\right.}$")).contains("\\left\\{ x \\right.");
        assertThat(BoxedAnswer.last("\\boxed{\\{1,2\\}}")).contains("\\{1,2\\}");
    }

    @Test
    void fboxAndSpaceFormAndWhitespaceBeforeBrace() {
        assertThat(BoxedAnswer.last("\\boxed{1} and \\fbox{2}")).contains("2");
        assertThat(BoxedAnswer.last("so $\\boxed 10$.")).contains("10");
        assertThat(BoxedAnswer.last("\\boxed {7}")).contains("7");
        assertThat(BoxedAnswer.last("\\boxed{}")).contains("");
    }

    @Test
    void absentOrUnbalancedGivesEmpty() {
        assertThat(BoxedAnswer.last("no answer here")).isEqualTo(Optional.empty());
        assertThat(BoxedAnswer.last("\\boxed{\\frac{1}{2}")).isEmpty();
        assertThat(BoxedAnswer.last("\\boxed")).isEmpty();
    }
}
