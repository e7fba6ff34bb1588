package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.rewards.countdown.CountdownEquation;
import dev.alpharl.rewards.math.Fraction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CountdownRewardTest {
    private static final CountdownReward AT_MOST_ONCE = new CountdownReward(false, 1.0, 0.1, "numbers", "target");
    private static final CountdownReward EXACTLY_ONCE = new CountdownReward(true, 1.0, 0.1, "numbers", "target");
    private static final Map<String, Object> SAMPLE = Map.of("numbers", List.of(3, 5, 7), "target", 22);

    private static double score(CountdownReward r, String completion, Map<String, Object> sample) {
        return r.score("", completion, sample).score();
    }

    // numbers 3, 5, 7 and target 22 = 3*5+7; scores hand-derived from the TinyZero convention (1 / 0.1 / 0)
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "<answer>3*5+7</answer>                         | 1.0",
                "<answer>(3 * 5) + 7 = 22</answer>              | 1.0",
                "<answer>22 = 7 + 3*5</answer>                  | 1.0",
                "<answer>7+3*5</answer>                         | 1.0",
                "Thinking...<answer>3 \\times 5 + 7</answer>    | 1.0",
                "so $\\boxed{3 \\cdot 5 + 7}$                   | 1.0",
                "<answer>3+5</answer> no wait <answer>3*5+7</answer> | 1.0",
                "<answer>3*5+7</answer> no wait <answer>3+5</answer> | 0.1",
                "<answer>5*5-3</answer>                         | 0.1",
                "<answer>2*11</answer>                          | 0.1",
                "<answer>3+5+7</answer>                         | 0.1",
                "<answer>3*5+</answer>                          | 0.1",
                "<answer>3**5</answer>                          | 0.1",
                "<answer>-3+25</answer>                         | 0.1",
                "<answer>three times five plus seven</answer>   | 0.1",
                "<answer>3.0*5+7</answer>                       | 0.1",
                "<answer>7/(5-5)</answer>                       | 0.1",
                "I think the answer is twenty-two.              | 0.0",
                "''                                             | 0.0",
            })
    void scoresEquationsAgainstTarget(String completion, double expected) {
        assertThat(score(AT_MOST_ONCE, completion, SAMPLE)).isEqualTo(expected);
    }

    @Test
    void lastLineIsTheFallbackButOnlyAParsableOneEarnsFormatCredit() {
        assertThat(score(AT_MOST_ONCE, "Let me try.\n3*5+7\n", SAMPLE)).isEqualTo(1.0);
        assertThat(score(AT_MOST_ONCE, "Let me try.\n3+5+7", SAMPLE)).isEqualTo(0.1);
        assertThat(score(AT_MOST_ONCE, "Let me try.\nI give up", SAMPLE)).isEqualTo(0.0);
    }

    @Test
    void exactlyOnceRequiresEveryNumber() {
        Map<String, Object> four = Map.of("numbers", List.of(3, 5, 7, 2), "target", 22);
        assertThat(score(AT_MOST_ONCE, "<answer>3*5+7</answer>", four)).isEqualTo(1.0);
        RewardResult r = EXACTLY_ONCE.score("", "<answer>3*5+7</answer>", four);
        assertThat(r.score()).isEqualTo(0.1);
        assertThat(r.diagnostics().get("problem").toString()).contains("not used");
        assertThat(score(EXACTLY_ONCE, "<answer>(3*5+7)*2/2</answer>", four))
                .isEqualTo(0.1); // 2 given once, used twice
        assertThat(score(
                        EXACTLY_ONCE,
                        "<answer>3*5+7*(2-1)</answer>",
                        Map.of("numbers", List.of(3, 5, 7, 2, 1), "target", 22)))
                .isEqualTo(1.0);
    }

    @Test
    void repeatedGivenNumbersMayBeUsedAsOftenAsGiven() {
        Map<String, Object> twice = Map.of("numbers", List.of(5, 5, 3), "target", 22);
        assertThat(score(AT_MOST_ONCE, "<answer>5*5-3</answer>", twice)).isEqualTo(1.0);
        assertThat(score(AT_MOST_ONCE, "<answer>5*5-3-5+5</answer>", twice)).isEqualTo(0.1);
    }

    @Test
    void divisionIsExactRationalArithmetic() {
        // 6 / (1 - 3/4) = 6 / (1/4) = 24 exactly, through a non-integer intermediate
        assertThat(score(
                        AT_MOST_ONCE,
                        "<answer>6/(1-3/4)</answer>",
                        Map.of("numbers", List.of(1, 3, 4, 6), "target", 24)))
                .isEqualTo(1.0);
        // 7/2 is 7/2, not 3 (no integer division) and not "close enough"
        assertThat(score(AT_MOST_ONCE, "<answer>7/2</answer>", Map.of("numbers", List.of(7, 2), "target", 3)))
                .isEqualTo(0.1);
        // (1/3)*3 is exactly 1, where floating point would give 0.9999…
        assertThat(score(AT_MOST_ONCE, "<answer>1/3*3</answer>", Map.of("numbers", List.of(1, 3, 3), "target", 1)))
                .isEqualTo(1.0);
        RewardResult zero =
                AT_MOST_ONCE.score("", "<answer>5/(3-3)</answer>", Map.of("numbers", List.of(5, 3, 3), "target", 1));
        assertThat(zero.score()).isEqualTo(0.1);
        assertThat(zero.diagnostics()).containsEntry("problem", "division by zero");
    }

    @Test
    void equationParserEvaluatesWithPrecedenceAndReportsNumbers() throws Exception {
        CountdownEquation e = CountdownEquation.parse("(10 - 4) * 3 + 8 / 2");
        assertThat(e.value()).isEqualTo(Fraction.of(22));
        assertThat(e.numbers()).extracting(Number::intValue).containsExactly(10, 4, 3, 8, 2);
        assertThat(CountdownEquation.parse("10-4-3").value()).isEqualTo(Fraction.of(3)); // left associative
        assertThat(CountdownEquation.parse("8/4/2").value()).isEqualTo(Fraction.of(1));
        assertThatThrownBy(() -> CountdownEquation.parse("(1+2"))
                .isInstanceOf(CountdownEquation.SyntaxException.class)
                .hasMessageContaining("unclosed");
        assertThatThrownBy(() -> CountdownEquation.parse("2^3"))
                .isInstanceOf(CountdownEquation.SyntaxException.class)
                .hasMessageContaining("'^'");
        assertThatThrownBy(() -> CountdownEquation.parse("(".repeat(200) + "1" + ")".repeat(200)))
                .isInstanceOf(CountdownEquation.SyntaxException.class)
                .hasMessageContaining("nested");
    }

    @Test
    void numbersMayComeAsListArrayOrString() {
        assertThat(score(AT_MOST_ONCE, "<answer>3*5+7</answer>", Map.of("numbers", new int[] {3, 5, 7}, "target", 22)))
                .isEqualTo(1.0);
        assertThat(score(AT_MOST_ONCE, "<answer>3*5+7</answer>", Map.of("numbers", "[3, 5, 7]", "target", "22")))
                .isEqualTo(1.0);
        assertThat(score(
                        AT_MOST_ONCE, "<answer>3*5+7</answer>", Map.of("numbers", List.of(3L, 5.0, 7), "target", 22.0)))
                .isEqualTo(1.0);
    }

    @Test
    void missingOrBadFieldsAreClearErrors() {
        assertThatThrownBy(() -> AT_MOST_ONCE.score("", "<answer>1</answer>", Map.of("numbers", List.of(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'target'");
        assertThatThrownBy(() -> AT_MOST_ONCE.score("", "<answer>1</answer>", Map.of("target", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'numbers'");
        assertThatThrownBy(() ->
                        AT_MOST_ONCE.score("", "<answer>1</answer>", Map.of("numbers", List.of(1.5), "target", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("integers");
    }
}
