package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Adversarial completions (issue 12, item 3): every call finishes far below the guard's timeout, without an error,
 * and scores the wrong answer. Parsing is bounded: linear scans, capped answer length, nesting depth, term counts,
 * exponent sizes and comparison counts.
 */
class MathRewardSafetyTest {
    private static final long LIMIT_MS = 1_000;

    static List<String> adversarial() {
        List<String> in = new ArrayList<>();
        in.add("\\boxed{" + "{".repeat(10_000) + "1" + "}".repeat(10_000) + "}"); // 10,000 nested braces
        in.add("\\boxed{" + "{".repeat(10_000)); // unclosed
        in.add("{".repeat(10_000) + "$x$" + "}".repeat(10_000));
        in.add("7".repeat(1_000_000)); // 1 MB of digits
        in.add("\\boxed{" + "9".repeat(1_000_000) + "}");
        in.add("The answer is " + "1".repeat(1_000_000));
        in.add("$" + "1+".repeat(300_000) + "1$");
        in.add("$".repeat(200_000));
        in.add("\\(".repeat(100_000));
        in.add("\\[".repeat(50_000) + "\\]".repeat(50_000));
        in.add("answer: ".repeat(100_000));
        in.add("(".repeat(10_000) + "1" + ")".repeat(10_000));
        in.add("\\boxed{" + "\\frac{".repeat(5_000) + "1" + "}{2}".repeat(5_000) + "}");
        in.add("\\boxed{".repeat(20_000));
        in.add("1,".repeat(300_000));
        in.add("1 000 ".repeat(100_000));
        in.add("x = ".repeat(100_000) + "2");
        in.add(" \\frac".repeat(100_000));
        // short answers that are expensive to compare if nothing is bounded
        in.add("\\boxed{(a+b+c+d+e+f+g)^{24}}");
        in.add("\\boxed{(x+y+z)^{24} - (z+y+x)^{24} + 3}");
        in.add("\\boxed{2^{2^{2^{2^{2^{2}}}}}}");
        in.add("\\boxed{9^{9^{9^{9}}}}");
        in.add("\\boxed{10^{1000000}}");
        in.add("\\boxed{x^{999999999}}");
        in.add("\\boxed{" + "\\sqrt{".repeat(120) + "2" + "}".repeat(120) + "}");
        in.add("\\boxed{" + "(".repeat(240) + "3" + ")".repeat(240) + "}");
        in.add("\\boxed{" + "-".repeat(900) + "3}");
        in.add("\\boxed{" + "1,".repeat(400) + "1}");
        in.add("\\boxed{" + "((1,2),(3,4)),".repeat(60) + "5}");
        in.add("\\boxed{1" + " ab".repeat(300) + "!}");
        in.add("\\boxed{\\{" + "\\{1,2\\},".repeat(60) + "3\\}}");
        in.add("\\boxed{300!!}");
        in.add("\\boxed{\\binom{4000}{2000}}");
        in.add("\\boxed{\\sqrt{" + "9".repeat(900) + "}}");
        in.add("\\boxed{" + "x".repeat(1) + "^{1/3}".repeat(100) + "}");
        in.add("\\boxed{\\sin(\\sin(\\sin(\\sin(\\sin(\\sin(\\sin(\\sin(x))))))))}");
        in.add("$x$ and ".repeat(50_000));
        Random r = new Random(7);
        StringBuilder junk = new StringBuilder();
        String alphabet = "\\{}[]()$^_0123456789.,=+-*/ abcxyz%#\n";
        for (int i = 0; i < 200_000; i++) junk.append(alphabet.charAt(r.nextInt(alphabet.length())));
        in.add(junk.toString());
        return in;
    }

    @Test
    void adversarialCompletionsAreScoredWrongQuicklyAndWithoutErrors() {
        MathAnswerReward direct = new MathAnswerReward(MathAnswerReward.Config.math());
        RewardFunction guarded = Rewards.create("math", Map.of());
        List<String> inputs = adversarial();
        for (String completion : inputs) {
            String what = completion.length() <= 60
                    ? completion
                    : completion.substring(0, 60) + "… (" + completion.length() + " chars)";
            long start = System.nanoTime();
            RewardResult r = direct.score("", completion, Map.of("answer", "-2"));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(ms).as("%s took %d ms", what, ms).isLessThan(LIMIT_MS);
            assertThat(r.error()).as(what).isFalse();
            assertThat(r.score()).as(what + " " + r.diagnostics()).isEqualTo(0.0);
            RewardResult g = guarded.score("", completion, Map.of("answer", "-2"));
            assertThat(g.error()).as(what + ": " + g.errorMessage()).isFalse();
            assertThat(g.score()).as(what).isEqualTo(0.0);
        }
        assertThat(guarded.counts()).isEqualTo(new RewardCounts(inputs.size(), 0, 0));
    }

    /** The same inputs as gold answers cost no more (a dataset is trusted, but a broken one must not hang a run). */
    @Test
    void expensiveAnswersOnBothSidesStayBounded() {
        MathAnswerReward direct = new MathAnswerReward(MathAnswerReward.Config.math());
        String[] answers = {
            "(a+b+c+d+e+f+g)^{24}",
            "(x+1)^{24}(x-1)^{24}",
            "2^{2^{2^{2^{2}}}}",
            "\\sqrt{" + "9".repeat(900) + "}",
            "\\frac{1}{" + "(x+1)".repeat(40) + "}",
            "\\{" + "\\{1,2\\},".repeat(60) + "3\\}"
        };
        for (String gold : answers) {
            for (String predicted : answers) {
                long start = System.nanoTime();
                RewardResult r = direct.score("", "\\boxed{" + predicted + "}", Map.of("answer", gold));
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(ms).as("%s against %s: %d ms", predicted, gold, ms).isLessThan(LIMIT_MS);
                assertThat(r.error()).isFalse();
            }
        }
    }
}
