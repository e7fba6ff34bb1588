package dev.alpharl.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alpharl.datasets.jsonl.JsonlReader;
import dev.alpharl.datasets.jsonl.RecordFormat;
import dev.alpharl.datasets.synthetic.ArithmeticTask;
import dev.alpharl.datasets.synthetic.CountdownTask;
import dev.alpharl.datasets.synthetic.Split;
import dev.alpharl.rewards.RewardFunction;
import dev.alpharl.rewards.RewardResult;
import dev.alpharl.rewards.Rewards;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gold answers this module produces are graded as intended by the rewards module, fed the sample's own fields:
 * a completion stating the gold scores full marks, a perturbed one does not.
 */
class GoldMatchesRewardsTest {

    private static final int SAMPLES = 300;

    /** The reward's view of a sample: its fields plus the gold under the default answer field "answer". */
    private static Map<String, Object> rewardFields(PromptSample s) {
        Map<String, Object> fields = new HashMap<>(s.fields());
        fields.put("answer", s.answer());
        return fields;
    }

    private static RewardResult score(RewardFunction reward, PromptSample s, String completion) {
        RewardResult r = reward.score(s.prompt(), completion, rewardFields(s));
        assertThat(r.error())
                .as("%s on %s: %s", reward.name(), s.id(), r.errorMessage())
                .isFalse();
        return r;
    }

    /** 1 to 18 digits: answers up to 36 digits, where a tolerance-based comparison would accept gold+1. */
    @ParameterizedTest(name = "{0} to {1} digits, {2} operands")
    @CsvSource({"1, 6, 4", "12, 18, 2"})
    void arithmeticGoldInABoxScoresFullMarksAndGoldPlusOneDoesNot(int minDigits, int maxDigits, int operands) {
        RewardFunction math = Rewards.create("math", Map.of());
        for (PromptSample s :
                new ArithmeticTask(minDigits, maxDigits, operands, "+-*").samples(Split.TRAIN, 11, SAMPLES, 0.1)) {
            String plusOne = new BigInteger(s.answer()).add(BigInteger.ONE).toString();
            assertThat(score(math, s, "Multiplying first, then adding, so the answer is \\boxed{" + s.answer() + "}.")
                            .score())
                    .as(s.prompt())
                    .isEqualTo(1.0);
            assertThat(score(math, s, "So the answer is \\boxed{" + plusOne + "}.")
                            .score())
                    .as(s.prompt() + " answered " + plusOne)
                    .isEqualTo(0.0);
        }
    }

    @ParameterizedTest(name = "{0} numbers up to {1}, ops {2}")
    @CsvSource({"4, 25, +-*/", "3, 10, +*", "6, 100, +-*/"})
    void countdownSolutionScoresFullMarksAndMisusedNumbersOrAnotherTargetDoNot(int count, int maxNumber, String ops) {
        RewardFunction countdown = Rewards.create("countdown", Map.of("use-all", true));
        for (PromptSample s : new CountdownTask(count, maxNumber, 1000, ops).samples(Split.TRAIN, 12, SAMPLES, 0.1)) {
            String solution = (String) s.fields().get("solution");
            int first = ((List<?>) s.fields().get("numbers"))
                    .stream().map(n -> (Integer) n).findFirst().orElseThrow();

            RewardResult right = score(countdown, s, "<think>combine them</think> <answer>" + solution + "</answer>");
            assertThat(right.score()).as(solution + " for " + s.fields()).isEqualTo(1.0);

            // same value, but the first number is used twice more than given
            String twice = "(" + solution + ")*" + first + "/" + first;
            RewardResult reused = score(countdown, s, "<answer>" + twice + "</answer>");
            assertThat(reused.score()).as(twice).isEqualTo(0.1); // TinyZero's format score: well formed, not valid
            assertThat((String) reused.diagnostics().get("problem")).contains("used more often than given");

            // the gold expression does not reach target + 1
            Map<String, Object> otherTarget = rewardFields(s);
            otherTarget.put("target", (Integer) s.fields().get("target") + 1);
            RewardResult wrongTarget = countdown.score(s.prompt(), "<answer>" + solution + "</answer>", otherTarget);
            assertThat(wrongTarget.score()).as(solution).isEqualTo(0.1);
            assertThat((String) wrongTarget.diagnostics().get("problem")).contains("!= target");
        }
    }

    /**
     * A fixture record's gold, boxed, scores 1 with the math reward: what the loader extracts is what the grader
     * accepts. Where the record keeps its full solution, the grader reading the gold out of that solution agrees.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"gsm8k.jsonl, gsm8k, 3", "math.jsonl, math, 4", "dapo.jsonl, dapo, 2"})
    void fixtureGoldInABoxScoresOne(String file, String format, int records) {
        RecordFormat recordFormat = switch (format) {
            case "gsm8k" -> RecordFormat.gsm8k();
            case "math" -> RecordFormat.math();
            default -> RecordFormat.dapo();
        };
        List<PromptSample> samples = JsonlReader.read(Fixtures.path(file), recordFormat);
        assertThat(samples).hasSize(records);
        RewardFunction math = Rewards.create("math", Map.of());
        RewardFunction mathFromSolution = Rewards.create("math", Map.of("answer-field", "solution"));
        for (PromptSample s : samples) {
            String boxed = "Putting it together: $\\boxed{" + s.answer() + "}$";
            assertThat(score(math, s, boxed).score())
                    .as(s.id() + " gold " + s.answer())
                    .isEqualTo(1.0);
            if (s.fields().containsKey("solution")) {
                assertThat(score(mathFromSolution, s, boxed).score())
                        .as(s.id() + " solution vs gold " + s.answer())
                        .isEqualTo(1.0);
            }
        }
    }
}
