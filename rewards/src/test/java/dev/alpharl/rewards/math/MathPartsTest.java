package dev.alpharl.rewards.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MathPartsTest {

    @Test
    void fractionsStayReducedAndExact() {
        Fraction third = Fraction.of(BigInteger.ONE, BigInteger.valueOf(3));
        assertThat(third.add(third).add(third)).isEqualTo(Fraction.ONE);
        assertThat(Fraction.of(BigInteger.valueOf(6), BigInteger.valueOf(-4))).hasToString("-3/2");
        assertThat(Fraction.parseDecimal("-0.125")).hasToString("-1/8");
        assertThat(Fraction.parseDecimal(".5")).hasToString("1/2");
        assertThat(Fraction.of(2).pow(-3)).hasToString("1/8");
        assertThat(Fraction.of(BigInteger.valueOf(9), BigInteger.valueOf(4)).sqrtExact())
                .hasToString("3/2");
        assertThat(Fraction.of(2).sqrtExact()).isNull();
        assertThatThrownBy(() -> Fraction.ONE.divide(Fraction.ZERO)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void hugePowersAreRefusedBeforeAnyWorkIsDone() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> Fraction.of(10).pow(1_000_000_000)).isInstanceOf(Fraction.TooLargeException.class);
        assertThat(Fraction.of(2).pow(2000).numerator().bitLength()).isEqualTo(2001); // 2^2000 has 2001 bits
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(500);
    }

    @Test
    void numComparesExactlyUnlessApproximate() {
        Num third = Num.exact(Fraction.of(BigInteger.ONE, BigInteger.valueOf(3)));
        Num decimal = Num.decimal(Fraction.parseDecimal("0.33333"));
        assertThat(third.sameAs(decimal, 1e-4)).isTrue();
        assertThat(third.sameAs(decimal, 1e-6)).isFalse();
        // exact values are never "close enough": 1000000/1000001 vs 1 at a loose tolerance
        Num nearlyOne = Num.exact(Fraction.of(BigInteger.valueOf(1_000_000), BigInteger.valueOf(1_000_001)));
        assertThat(nearlyOne.sameAs(Num.exact(Fraction.ONE), 1e-3)).isFalse();
        assertThat(Num.exact(Fraction.of(8))
                        .sqrt()
                        .sameAs(
                                Num.exact(Fraction.of(2))
                                        .multiply(Num.exact(Fraction.of(2)).sqrt()),
                                1e-9))
                .isTrue();
        assertThat(Num.exact(Fraction.of(16)).sqrt().approximate()).isFalse();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1+2*3             | 7",
                "(1+2)*3           | 9",
                "2^3^2             | 512",
                "(2^3)^2           | 64",
                "-2^2              | -4",
                "\\frac12+\\frac13 | 5/6",
                "\\frac{\\frac{1}{2}}{3} | 1/6",
                "2\\frac{1}{3}     | 7/3",
                "3\\cdot4\\div6    | 2",
                "\\sqrt{16}        | 4",
                "\\sqrt[3]{-8}     | -2",
                "4^{1/2}           | 2",
                "2(3+4)            | 14",
                "10/4              | 5/2",
            })
    void closedExpressionsEvaluateExactly(String expr, String expected) throws Exception {
        Num v = ExpressionParser.evaluate(ExpressionParser.parse(expr));
        assertThat(v.approximate()).isFalse();
        assertThat(v.exact()).hasToString(expected);
    }

    @Test
    void parserRejectsWhatItDoesNotUnderstand() throws Exception {
        assertThatThrownBy(() -> ExpressionParser.parse("\\sin x")).isInstanceOf(ExpressionParser.ParseException.class);
        assertThatThrownBy(() -> ExpressionParser.parse("(1+2")).isInstanceOf(ExpressionParser.ParseException.class);
        assertThatThrownBy(() -> ExpressionParser.parse("-".repeat(400) + "1"))
                .isInstanceOf(ExpressionParser.ParseException.class);
        assertThat(ExpressionParser.parse("2xy").variables()).containsExactly("x", "y");
        assertThat(ExpressionParser.parse(AnswerNormalizer.normalize("\\pi r^2"))
                        .variables())
                .containsExactly("r");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "\\text{(B)}                         | B",
                "\\$1,234.50                         | 1234.50",
                "1{,}000                            | 1000",
                "\\left( 1, 2 \\right)               | (1,2)",
                "\\dfrac{3}{4}                       | \\frac{3}{4}",
                "45^{\\circ}                         | 45",
                "50\\%                               | 50",
                "12 \\text{ square units}.           | 12",
                "x = \\frac{1}{2}                    | \\frac{1}{2}",
                "2, 3                               | 2,3",
                "(1,000)                            | (1,000)",
                "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix} | \\begin{pmatrix}1\\\\2\\end{pmatrix}",
                "3ab                                | 3ab",
            })
    void normalizer(String raw, String expected) {
        assertThat(AnswerNormalizer.normalize(raw)).isEqualTo(expected);
    }

    @Test
    void extractor() {
        assertThat(AnswerExtractor.lastBoxed("a \\boxed{\\frac{1}{\\sqrt{2}}} b"))
                .contains("\\frac{1}{\\sqrt{2}}");
        assertThat(AnswerExtractor.lastBoxed("\\boxed{1} then \\fbox{2}")).contains("2");
        assertThat(AnswerExtractor.lastBoxed("\\boxed 7 done")).contains("7");
        assertThat(AnswerExtractor.lastBoxed("\\boxed{3} and \\boxed{4")).contains("3");
        assertThat(AnswerExtractor.lastBoxed("\\boxedx{3}")).isEmpty();
        assertThat(AnswerExtractor.lastBoxed("\\boxed{3} and \\boxed{}")).contains("3");
        assertThat(AnswerExtractor.lastHash("#### 5\n#### 6\nbye")).contains("6");
        assertThat(AnswerExtractor.lastHash("x\n####7")).contains("7");
        assertThat(AnswerExtractor.lastAnswerPhrase("Answer: The answer is 5. I hope so"))
                .contains("5");
        assertThat(AnswerExtractor.lastAnswerPhrase("the answer is: 3/4")).contains("3/4");
        assertThat(AnswerExtractor.lastNumber("from 1,200 to -3.5 and 7/8 ok")).contains("7/8");
        assertThat(AnswerExtractor.lastNumber("no digits")).isEmpty();
    }

    @Test
    void boxContentFollowsTexBraceRules() {
        assertThat(AnswerExtractor.lastBoxed("$\\boxed{\\left\\{ x \\right.}$")).contains("\\left\\{ x \\right.");
        assertThat(AnswerExtractor.lastBoxed("\\boxed{\\{1,2\\}}")).contains("\\{1,2\\}");
        // "\\" is a line break, so the '}' after it closes the box
        assertThat(AnswerExtractor.lastBoxed("\\boxed{\\begin{matrix}1\\\\2\\\\}"))
                .contains("\\begin{matrix}1\\\\2\\\\");
        assertThat(AnswerExtractor.lastBoxed("\\boxed {7}")).contains("7");
        assertThat(AnswerExtractor.lastBoxed("so $\\boxed 10$.")).contains("10");
        assertThat(Latex.unwrap("\\text{a\\\\}b", "\\text")).isEqualTo("a\\\\b");
    }

    @Test
    void finalBoxedTakesOnlyTheLastBoxNeverAnEarlierOne() {
        assertThat(AnswerExtractor.finalBoxed("try $\\boxed{2}$, then $\\boxed{\\frac{\\sqrt{2}}{2}}$"))
                .contains("\\frac{\\sqrt{2}}{2}");
        assertThat(AnswerExtractor.finalBoxed("There are $\\boxed 10$ ways.")).contains("10");
        assertThat(AnswerExtractor.finalBoxed("\\boxed{3} and \\boxed{\\frac{1}{2}"))
                .isEmpty();
        assertThat(AnswerExtractor.finalBoxed("\\boxed{3} and \\boxed{ }")).isEmpty();
        assertThat(AnswerExtractor.finalBoxed("\\boxed{3} and \\boxed")).isEmpty();
        assertThat(AnswerExtractor.finalBoxed("no answer here")).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "12,345,678 | 12345678",
                "-1,234.5   | -1234.5",
                "'3, 4'     | '3, 4'",
                "0,123      | 0,123",
                "1234       | 1234",
            })
    void thousandsSeparatorsAreStrippedOnlyFromOneGroupedNumber(String raw, String expected) {
        assertThat(AnswerNormalizer.stripThousandsSeparators(raw)).isEqualTo(expected);
    }

    @Test
    void variablesAreComparedByValueAtSeveralPoints() {
        MathEquivalence eq = new MathEquivalence(1e-4);
        assertThat(eq.equivalent("(a+b)^2", "a^2+2ab+b^2")).isTrue();
        assertThat(eq.equivalent("(a+b)^2", "a^2+b^2")).isFalse();
        assertThat(eq.equivalent("\\frac{x^2-1}{x-1}", "x+1")).isTrue();
        assertThat(eq.equivalent("x", "x+0.01")).isFalse();
        assertThat(eq.equivalent("", "1")).isFalse();
        assertThatThrownBy(() -> new MathEquivalence(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
