package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RewardsRegistryTest {

    @Test
    void unknownNameListsTheAllowedOnes() {
        assertThatThrownBy(() -> Rewards.create("maths", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown reward 'maths'; allowed: [countdown, format, math, overlong]");
    }

    @Test
    void unknownOptionListsTheAllowedOnes() {
        assertThatThrownBy(() -> Rewards.create("math", Map.of("tolerance", 1e-3)))
                .hasMessageContaining("reward 'math': unknown option 'tolerance'; allowed: [")
                .hasMessageContaining("rel-tol")
                .hasMessageContaining("timeout-seconds")
                .hasMessageContaining("error-score");
    }

    @Test
    void badValuesNameTheKeyAndWhatWasExpected() {
        assertThatThrownBy(() -> Rewards.create("math", Map.of("style", "aime")))
                .hasMessageContaining("option 'style' must be one of [boxed, dapo, gsm8k, math], got 'aime'");
        assertThatThrownBy(() -> Rewards.create("math", Map.of("extract", List.of("boxed", "last-word"))))
                .hasMessageContaining("option 'extract'")
                .hasMessageContaining("last-number");
        assertThatThrownBy(() -> Rewards.create("countdown", Map.of("use-all", "yes")))
                .hasMessageContaining("option 'use-all' must be true or false, got 'yes'");
        assertThatThrownBy(() -> Rewards.create("overlong", Map.of("buffer", 10)))
                .hasMessageContaining("option 'max-length' is required");
        assertThatThrownBy(() -> Rewards.create("overlong", Map.of("max-length", "lots", "buffer", 10)))
                .hasMessageContaining("option 'max-length' must be an integer, got 'lots'");
        assertThatThrownBy(() -> Rewards.create("format", Map.of("kind", "regex")))
                .hasMessageContaining("needs a 'pattern'");
        assertThatThrownBy(() -> Rewards.create("format", Map.of("kind", "regex", "pattern", "(")))
                .hasMessageContaining("option 'pattern' must be a valid regular expression");
        assertThatThrownBy(() -> Rewards.create("math", Map.of("timeout-seconds", 0)))
                .hasMessageContaining("option 'timeout-seconds' must be positive");
    }

    @Test
    void mathStylesFollowTheirConventions() {
        RewardFunction dapo = Rewards.create("math", Map.of("style", "dapo"));
        assertThat(dapo.score("", "Answer: 7", Map.of("answer", "7")).score()).isEqualTo(1.0);
        assertThat(dapo.score("", "Answer: 8", Map.of("answer", "7")).score()).isEqualTo(-1.0);
        assertThat(dapo.score("", "\\boxed{7}", Map.of("answer", "7")).score()).isEqualTo(-1.0);
        RewardFunction custom =
                Rewards.create("math", Map.of("style", "dapo", "extract", "answer, boxed", "wrong", "0", "correct", 2));
        assertThat(custom.score("", "\\boxed{7}", Map.of("answer", 7)).score()).isEqualTo(2.0);
        assertThat(custom.score("", "\\boxed{8}", Map.of("answer", 7)).score()).isEqualTo(0.0);
        RewardFunction gsm = Rewards.create("math", Map.of("style", "gsm8k", "answer-field", "solution"));
        assertThat(gsm.score("", "so 18 in total", Map.of("solution", "9*2 = 18\n#### 18"))
                        .score())
                .isEqualTo(1.0);
        RewardFunction loose = Rewards.create("math", Map.of("rel-tol", 0.01));
        assertThat(loose.score("", "\\boxed{3.14}", Map.of("answer", "\\pi")).score())
                .isEqualTo(1.0);
        assertThat(Rewards.create("math", Map.of())
                        .score("", "\\boxed{3.14}", Map.of("answer", "\\pi"))
                        .score())
                .isEqualTo(0.0);
    }

    @Test
    void mathOptionsOfIssue12() {
        Map<String, Object> gold = Map.of("answer", "\\frac{1}{3}");
        // the default reads a bare LaTeX answer; the strict boxed style does not
        assertThat(Rewards.create("math", Map.of())
                        .score("", "so $\\frac13$", gold)
                        .score())
                .isEqualTo(1.0);
        assertThat(Rewards.create("math", Map.of("style", "boxed"))
                        .score("", "so $\\frac13$", gold)
                        .score())
                .isEqualTo(0.0);
        assertThat(Rewards.create("math", Map.of("style", "boxed"))
                        .score("", "$\\boxed{\\frac13}$", gold)
                        .score())
                .isEqualTo(1.0);
        // extraction methods by name, in the given order
        RewardFunction lastNumberFirst = Rewards.create("math", Map.of("extract", "expression, boxed"));
        assertThat(lastNumberFirst
                        .score("", "\\boxed{5} then 6", Map.of("answer", "6"))
                        .score())
                .isEqualTo(1.0);
        // decimals: the rounding places, or the gold's own
        Map<String, Object> gold333 = Map.of("answer", "33.3");
        assertThat(Rewards.create("math", Map.of())
                        .score("", "\\boxed{100/3}", gold333)
                        .score())
                .isEqualTo(0.0);
        assertThat(Rewards.create("math", Map.of("decimals", "gold"))
                        .score("", "\\boxed{100/3}", gold333)
                        .score())
                .isEqualTo(1.0);
        assertThat(Rewards.create("math", Map.of("decimals", 1))
                        .score("", "\\boxed{100/3}", gold333)
                        .score())
                .isEqualTo(1.0);
        assertThatThrownBy(() -> Rewards.create("math", Map.of("decimals", -1)))
                .hasMessageContaining("option 'decimals' must be an integer in [0, 15] or 'gold', got '-1'");
        assertThatThrownBy(() -> Rewards.create("math", Map.of("rel-tol", 2)))
                .hasMessageContaining("option 'rel-tol' must be in [0, 1)");
        assertThatThrownBy(() -> Rewards.create("math", Map.of("extract", "boxed, guess")))
                .hasMessageContaining(
                        "must be a list of [answer, boxed, equals, expression, hash, last-number, latex, phrase]");
    }

    @Test
    void aMissingGoldFieldIsACountedErrorWithTheFallbackScore() {
        RewardFunction math = Rewards.create("math", Map.of("error-score", -1));
        RewardResult r = math.score("", "\\boxed{1}", Map.of("solution", "1"));
        assertThat(r.error()).isTrue();
        assertThat(r.score()).isEqualTo(-1.0);
        assertThat(r.errorMessage()).contains("'answer'");
        assertThat(math.counts()).isEqualTo(new RewardCounts(1, 1, 0));
    }

    @Test
    void aSolutionAsGoldIsReducedToItsFinalAnswerOrIsAnError() {
        RewardFunction math = Rewards.create("math", Map.of());
        assertThat(math.score("", "\\boxed{2}", Map.of("answer", "try $\\boxed{1}$, no: $\\boxed{2}$"))
                        .score())
                .isEqualTo(1.0);
        assertThat(math.score("", "\\boxed{1,234}", Map.of("answer", "so\n#### 1,234"))
                        .score())
                .isEqualTo(1.0);
        // an unclosed last box is not silently replaced by the earlier, intermediate one
        RewardResult unclosed = math.score("", "\\boxed{1}", Map.of("answer", "try $\\boxed{1}$, no: $\\boxed{2"));
        assertThat(unclosed.error()).isTrue();
        assertThat(unclosed.errorMessage()).contains("'answer'").contains("unclosed or empty");
        RewardResult noHash = math.score("", "\\boxed{1}", Map.of("answer", "so\n####  "));
        assertThat(noHash.error()).isTrue();
        assertThat(noHash.errorMessage()).contains("'answer' has '####' but no answer");
    }

    @Test
    void composeBuildsAWeightedSumFromConfigEntries() {
        RewardFunction all = Rewards.compose(List.of(
                Map.of("name", "math", "weight", 1.0),
                Map.of("name", "format", "weight", 0.1, "options", Map.of("kind", "boxed")),
                Map.of("name", "overlong", "options", Map.of("max-length", 20, "buffer", 4))));
        Map<String, Object> sample = Map.of("answer", "\\frac{1}{2}", RewardFunction.COMPLETION_TOKENS, 18);
        RewardResult r = all.score("", "$\\boxed{0.5}$", sample);
        assertThat(r.score()).isEqualTo(1.0 + 0.1 * 1.0 + 1.0 * -0.5);
        assertThat(r.diagnostics())
                .containsEntry("math/correct", true)
                .containsEntry("format/format_ok", true)
                .containsEntry("overlong/overlong_penalty", -0.5);
        assertThat(all.counts().calls()).isEqualTo(3);
    }

    @Test
    void overlongWrapsABaseReward() {
        RewardFunction shaped = Rewards.create(
                "overlong",
                Map.of(
                        "max-length",
                        20,
                        "buffer",
                        4,
                        "penalty-factor",
                        2,
                        "base",
                        Map.of("name", "math", "options", Map.of("style", "dapo"))));
        RewardResult r = shaped.score("", "Answer: 3", Map.of("answer", "3", RewardFunction.COMPLETION_TOKENS, 17));
        assertThat(r.score()).isEqualTo(1.0 - 2 * 0.25);
        assertThat(shaped.score("", "Answer: 4", Map.of("answer", "3", RewardFunction.COMPLETION_TOKENS, 30))
                        .score())
                .isEqualTo(-1.0 - 2.0);
        assertThatThrownBy(() -> Rewards.create(
                        "overlong", Map.of("max-length", 20, "buffer", 4, "base", Map.of("name", "nope"))))
                .hasMessageContaining("unknown reward 'nope'");
    }

    @Test
    void composeErrorsNameTheEntry() {
        assertThatThrownBy(() -> Rewards.compose(List.of(Map.of("name", "math", "wieght", 1))))
                .hasMessage("rewards[0]: unknown key 'wieght'; allowed: [name, options, weight]");
        assertThatThrownBy(() -> Rewards.compose(List.of(Map.of("name", "math"), Map.of("weight", 1))))
                .hasMessageContaining("rewards[1]: 'name' is required");
        assertThatThrownBy(() -> Rewards.compose(List.of(Map.of("name", "math", "weight", "heavy"))))
                .hasMessageContaining("rewards[0]: 'weight' must be a number, got 'heavy'");
        assertThatThrownBy(() -> Rewards.compose(List.of(Map.of("name", "countdown", "options", Map.of("numbers", 1)))))
                .hasMessageContaining("rewards[0]: reward 'countdown': unknown option 'numbers'");
        assertThatThrownBy(() -> Rewards.compose(List.of())).hasMessageContaining("at least one");
    }

    @Test
    void scoreRecordIsTheCliLineScorer() {
        RewardFunction countdown = Rewards.create("countdown", Map.of());
        Map<String, Object> line = new HashMap<>();
        line.put("completion", "<answer>(3*5)+7</answer>");
        line.put("numbers", List.of(3, 5, 7));
        line.put("target", 22);
        RewardResult r = Rewards.scoreRecord(countdown, line);
        assertThat(r.score()).isEqualTo(1.0);
        assertThat(r.toMap())
                .containsEntry("score", 1.0)
                .containsEntry("error", false)
                .containsEntry("equation", "(3*5)+7");
        assertThatThrownBy(() -> Rewards.scoreRecord(countdown, Map.of("text", "x")))
                .hasMessage("input record needs a string field 'completion'; it has [text]");
    }

    @Test
    void optionsAcceptStringsFromTheCommandLine() {
        RewardFunction c = Rewards.create("countdown", Map.of("use-all", "true", "format-score", "0.25"));
        assertThat(c.score("", "<answer>3*5+7</answer>", Map.of("numbers", List.of(3, 5, 7, 1), "target", 22))
                        .score())
                .isEqualTo(0.25);
    }
}
