package dev.alpharl.datasets.synthetic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.datasets.jsonl.JsonlReader;
import dev.alpharl.datasets.jsonl.JsonlWriter;
import dev.alpharl.datasets.jsonl.RecordFormat;
import dev.alpharl.rewards.countdown.CountdownEquation;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticTaskTest {

    private static final Pattern ARITHMETIC_PROMPT = Pattern.compile("What is ([0-9+*-]+)\\?");

    @TempDir
    Path tmp;

    @Test
    void arithmeticAnswersMatchAnIndependentExactEvaluator() {
        ArithmeticTask task = new ArithmeticTask(1, 6, 4, "+-*");
        List<PromptSample> samples = task.samples(Split.TRAIN, 1, 1000, 0.1);
        assertThat(samples).hasSize(1000);
        boolean sawNegative = false;
        for (PromptSample s : samples) {
            Matcher m = ARITHMETIC_PROMPT.matcher(s.prompt());
            assertThat(m.matches()).as(s.prompt()).isTrue();
            CountdownEquation reference = exact(m.group(1));
            assertThat(s.answer()).as(s.prompt()).isEqualTo(reference.value().toString());
            assertThat(s.fields().get("expression")).isEqualTo(m.group(1));
            assertThat(reference.numbers()).hasSize(4);
            sawNegative |= s.answer().startsWith("-");
        }
        assertThat(sawNegative).isTrue();
    }

    @Test
    void arithmeticHandComputedPrecedence() {
        assertThat(ArithmeticTask.evaluate(new long[] {37, 485}, new char[] {'+'}))
                .isEqualTo(BigInteger.valueOf(522));
        assertThat(ArithmeticTask.evaluate(new long[] {2, 3, 4, 5}, new char[] {'-', '*', '+'}))
                .isEqualTo(BigInteger.valueOf(2 - 3 * 4 + 5));
        assertThat(ArithmeticTask.evaluate(
                        new long[] {999_999_999_999_999_999L, 999_999_999_999_999_999L}, new char[] {'*'}))
                .isEqualTo(new BigInteger("999999999999999998000000000000000001"));
    }

    @Test
    void arithmeticDigitCountsFollowTheKnobs() {
        for (PromptSample s : new ArithmeticTask(3, 3, 2, "+").samples(Split.TRAIN, 4, 300, 0.1)) {
            List<BigInteger> operands =
                    exact((String) s.fields().get("expression")).numbers();
            assertThat(operands)
                    .hasSize(2)
                    .allSatisfy(v -> assertThat(v).isBetween(BigInteger.valueOf(100), BigInteger.valueOf(999)));
        }
    }

    /** That each solution reaches its target using every number once is checked by the countdown reward itself. */
    @Test
    void countdownNumbersTargetAndPromptFollowTheKnobs() {
        CountdownTask task = new CountdownTask(4, 25, 100, "+-*/");
        for (PromptSample s : task.samples(Split.TRAIN, 2, 1000, 0.1)) {
            @SuppressWarnings("unchecked")
            List<Integer> numbers = (List<Integer>) s.fields().get("numbers");
            int target = (Integer) s.fields().get("target");
            assertThat(numbers).hasSize(4).allSatisfy(n -> assertThat(n).isBetween(1, 25));
            assertThat(target).isBetween(1, 100);
            assertThat(s.answer()).isEqualTo(Integer.toString(target));
            assertThat(s.prompt()).contains(numbersText(numbers)).endsWith("equals " + target + ".");
        }
    }

    @Test
    void countdownRespectsTheOperatorSet() {
        for (PromptSample s : new CountdownTask(3, 10, 1000, "+*").samples(Split.TRAIN, 3, 200, 0.1)) {
            assertThat((String) s.fields().get("solution")).doesNotContain("-", "/");
            assertThat(s.prompt()).contains("operations + *,");
        }
    }

    @Test
    void heldOutNeverOverlapsTrainWhateverTheSeeds() {
        ArithmeticTask arithmetic = new ArithmeticTask(1, 2, 2, "+-");
        Set<String> train = prompts(arithmetic.samples(Split.TRAIN, 1, 1000, 0.2));
        Set<String> heldOut = prompts(arithmetic.samples(Split.HELD_OUT, 99, 300, 0.2));
        assertThat(train).hasSize(1000);
        assertThat(heldOut).hasSize(300).doesNotContainAnyElementsOf(train);

        CountdownTask countdown = new CountdownTask(3, 20, 100, "+-*/");
        Set<String> trainKeys = countdownKeys(countdown.samples(Split.TRAIN, 5, 600, 0.1));
        Set<String> heldKeys = countdownKeys(countdown.samples(Split.HELD_OUT, 6, 80, 0.1));
        assertThat(trainKeys).hasSize(600);
        assertThat(heldKeys).hasSize(80).doesNotContainAnyElementsOf(trainKeys);
    }

    @Test
    void heldOutFractionIsRespectedOnAverage() {
        int held = 0;
        for (int i = 0; i < 20_000; i++) {
            if (Split.of("problem " + i, 0.1) == Split.HELD_OUT) {
                held++;
            }
        }
        assertThat(held).isBetween(1800, 2200);
    }

    @Test
    void generationIsDeterministicInTheSeed() {
        CountdownTask task = new CountdownTask(4, 25, 100, "+-*/");
        assertThat(task.samples(Split.TRAIN, 8, 50, 0.1)).isEqualTo(task.samples(Split.TRAIN, 8, 50, 0.1));
        assertThat(prompts(task.samples(Split.TRAIN, 9, 50, 0.1)))
                .isNotEqualTo(prompts(task.samples(Split.TRAIN, 8, 50, 0.1)));
        assertThat(task.samples(Split.TRAIN, 8, 3, 0.1))
                .extracting(PromptSample::id)
                .containsExactly("countdown-train-0", "countdown-train-1", "countdown-train-2");
    }

    @Test
    void tooSmallAProblemSpaceIsAClearError() {
        // 1-digit a+b: 100 problems in all, about 90 of them train
        ArithmeticTask tiny = new ArithmeticTask(1, 1, 2, "+");
        assertThatThrownBy(() -> tiny.samples(Split.TRAIN, 0, 200, 0.1))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("arithmetic: found only")
                .hasMessageContaining("problem space is too small");
    }

    @Test
    void badKnobsAreRejected() {
        assertThatThrownBy(() -> new ArithmeticTask(1, 3, 2, "+/"))
                .hasMessage("arithmetic: ops must be distinct characters from \"+-*\", got \"+/\"");
        assertThatThrownBy(() -> new ArithmeticTask(4, 3, 2, "+")).hasMessageContaining("min-digits <= max-digits");
        assertThatThrownBy(() -> new CountdownTask(7, 10, 100, "+")).hasMessageContaining("count must be in [2, 6]");
        // a product of two numbers in [1, 1000] is almost never 1: construction gives up with a clear message
        assertThatThrownBy(() -> new CountdownTask(2, 1000, 1, "*").samples(Split.TRAIN, 0, 1, 0.1))
                .hasMessageStartingWith("countdown: no target in [1, 1] after 10000 constructions");
    }

    @Test
    void samplesRoundTripThroughJsonl() {
        List<PromptSample> samples = new CountdownTask(3, 10, 50, "+-*").samples(Split.HELD_OUT, 1, 20, 0.3);
        Path f = tmp.resolve("countdown.jsonl");
        JsonlWriter.write(f, samples);
        List<PromptSample> back = JsonlReader.read(f, RecordFormat.generic("prompt", "answer", "id"));
        assertThat(back).isEqualTo(samples);
        assertThat(back.get(0).fields().get("numbers")).isInstanceOf(List.class);
        assertThat(back.get(0).fields().get("target")).isInstanceOf(Integer.class);
    }

    /** The rewards module's exact integer-expression evaluator, independent of the generators' own arithmetic. */
    private static CountdownEquation exact(String expression) {
        try {
            return CountdownEquation.parse(expression);
        } catch (CountdownEquation.SyntaxException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static String numbersText(List<Integer> numbers) {
        return String.join(", ", numbers.stream().map(String::valueOf).toList());
    }

    private static Set<String> prompts(List<PromptSample> samples) {
        Set<String> out = new HashSet<>();
        samples.forEach(s -> out.add(s.prompt()));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> countdownKeys(List<PromptSample> samples) {
        Set<String> out = new HashSet<>();
        for (PromptSample s : samples) {
            List<Integer> sorted = new ArrayList<>((List<Integer>) s.fields().get("numbers"));
            sorted.sort(null);
            out.add(sorted + "->" + s.fields().get("target"));
        }
        return out;
    }
}
