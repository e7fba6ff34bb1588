package dev.alpharl.rewards.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The parts of the math engine, one by one, against hand-computed values. */
class MathPartsTest {

    @Test
    void fractionsStayReducedAndExact() {
        Fraction third = Fraction.of(BigInteger.ONE, BigInteger.valueOf(3));
        assertThat(third.add(third).add(third)).isEqualTo(Fraction.ONE);
        assertThat(Fraction.of(BigInteger.valueOf(6), BigInteger.valueOf(-4))).hasToString("-3/2");
        assertThat(Fraction.parseDecimal("-0.125")).hasToString("-1/8");
        assertThat(Fraction.parseDecimal(".5")).hasToString("1/2");
        assertThat(Fraction.of(2).pow(-3)).hasToString("1/8");
        assertThat(Fraction.of(-5).abs()).hasToString("5");
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

    // ---- parser + simplifier: closed values ---------------------------------------------------------------------

    private static Fraction value(String latex) throws Exception {
        return Simplifier.simplify(ExpressionParser.parseExpression(latex)).constantValue();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1+2*3               | 7",
                "(1+2)*3             | 9",
                "2^3^2               | 512",
                "(2^3)^2             | 64",
                "-2^2                | -4",
                "2^-1                | 1/2",
                "2^{10}              | 1024",
                "2^10                | 1024",
                "\\frac12+\\frac13   | 5/6",
                "\\frac{\\frac{1}{2}}{3} | 1/6",
                "\\frac3{4}          | 3/4",
                "\\frac{3}4          | 3/4",
                "2\\frac{1}{3}       | 7/3",
                "-2\\frac14          | -9/4",
                "2 \\frac{1}{3}      | 7/3",
                "3\\cdot4\\div6      | 2",
                "3 \\times 4         | 12",
                "\\sqrt{16}          | 4",
                "\\sqrt[3]{-8}       | -2",
                "4^{1/2}             | 2",
                "8^{-2/3}            | 1/4",
                "2(3+4)              | 14",
                "10/4                | 5/2",
                "1/2/2               | 1/4",
                "1.5e3               | 1500",
                "2.5 \\times 10^{-2} | 1/40",
                ".4                  | 2/5",
                "5!                  | 120",
                "\\binom{6}{2}       | 15",
                "\\lvert -3 \\rvert   | 3",
                "\\log_2 8           | 3",
                "\\log_{10}(1000)    | 3",
                "\\ln 1              | 0",
                "i^2                 | -1",
                "(1+i)(1-i)          | 2",
                "\\sqrt{2}\\sqrt{8}  | 4",
                "\\sqrt[3]{2}\\sqrt[3]{4} | 2",
                "(\\sqrt{2})^{4}     | 4",
                "\\frac{6}{\\sqrt{3}} \\cdot \\sqrt{3} | 6",
            })
    void closedExpressionsSimplifyToExactRationals(String latex, String expected) throws Exception {
        assertThat(value(latex)).hasToString(expected);
    }

    @ParameterizedTest(name = "{0} == {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "\\sqrt{8}                       | 2\\sqrt{2}",
                "\\sqrt{12}                      | 2\\sqrt3",
                "\\frac{1}{\\sqrt{2}}            | \\frac{\\sqrt{2}}{2}",
                "\\frac{1}{1+\\sqrt{2}}          | \\sqrt{2}-1",
                "\\sqrt{\\frac{1}{2}}            | \\frac{\\sqrt2}{2}",
                "\\sqrt[3]{16}                   | 2\\sqrt[3]{2}",
                "\\sqrt{-4}                      | 2i",
                "(2+i)^2                         | 3+4i",
                "\\frac{\\pi}{2}+\\frac{\\pi}{3} | \\frac{5\\pi}{6}",
                "e^2 e^3                         | e^5",
                "(a+b)^2                         | a^2+2ab+b^2",
                "\\frac{x^2-1}{x-1}              | x+1",
                "\\frac{1}{x}+\\frac{1}{y}       | \\frac{x+y}{xy}",
                "x^{1/2} x^{1/2}                 | x",
                "\\sin x + 1                     | 1 + \\sin(x)",
                "\\theta_1 + \\theta_2           | \\theta_{2} + \\theta_{1}",
            })
    void equalFormsAreIdentifiedExactly(String a, String b) throws Exception {
        Simplifier.Form fa = Simplifier.simplify(ExpressionParser.parseExpression(a));
        Simplifier.Form fb = Simplifier.simplify(ExpressionParser.parseExpression(b));
        assertThat(fa.sameAs(fb)).as("%s vs %s", fa, fb).isTrue();
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "\\sqrt{8}                | 3\\sqrt{2}",
                "\\sqrt{2}+\\sqrt{3}      | \\sqrt{5}",
                "\\sqrt{6}                | \\sqrt{2}+\\sqrt{3}",
                "(a+b)^2                  | a^2+b^2",
                "\\frac{1}{x+y}           | \\frac{1}{x}+\\frac{1}{y}",
                "\\pi                     | 3.14159265358979",
                "2i                       | -2i",
                "\\sqrt[3]{2}             | \\sqrt{2}",
            })
    void differentFormsStayDifferent(String a, String b) throws Exception {
        Simplifier.Form fa = Simplifier.simplify(ExpressionParser.parseExpression(a));
        Simplifier.Form fb = Simplifier.simplify(ExpressionParser.parseExpression(b));
        assertThat(fa.sameAs(fb)).as("%s vs %s", fa, fb).isFalse();
        assertThat(fa.isReliable() && fb.isReliable()).isTrue();
    }

    @Test
    void opaqueFormsAreMarkedUnreliable() throws Exception {
        assertThat(Simplifier.simplify(ExpressionParser.parseExpression("\\sin x"))
                        .isReliable())
                .isFalse();
        assertThat(Simplifier.simplify(ExpressionParser.parseExpression("\\sqrt{x+1}"))
                        .isReliable())
                .isFalse();
        assertThat(Simplifier.simplify(ExpressionParser.parseExpression("2^{n}"))
                        .isReliable())
                .isFalse();
        assertThat(Simplifier.simplify(ExpressionParser.parseExpression("\\sqrt{2}\\pi x^2"))
                        .isReliable())
                .isTrue();
    }

    @Test
    void expansionBoundIsTheMultinomialCount() {
        assertThat(Simplifier.maxTerms(1, 50)).isEqualTo(1);
        assertThat(Simplifier.maxTerms(2, 10)).isEqualTo(11);
        assertThat(Simplifier.maxTerms(5, 2)).isEqualTo(15);
        assertThat(Simplifier.maxTerms(3, 24)).isGreaterThan(Polynomial.MAX_TERMS); // C(26, 2) = 325
    }

    @Test
    void parserReadsRelationsPercentAndRejectsWhatItDoesNotUnderstand() throws Exception {
        Answer eq = ExpressionParser.parse("y = 2x + 1");
        assertThat(eq).isInstanceOf(Answer.Relation.class);
        assertThat(((Answer.Relation) eq).isAssignment()).isTrue();
        Answer ge = ExpressionParser.parse("5 \\ge x > 1");
        assertThat(((Answer.Relation) ge).ops()).containsExactly(Answer.Rel.LT, Answer.Rel.LE); // 1 < x ≤ 5
        assertThat(((Answer.Scalar) ExpressionParser.parse("28%")).percent()).isTrue();
        assertThatThrownBy(() -> ExpressionParser.parse("(1+2")).isInstanceOf(ExpressionParser.ParseException.class);
        assertThatThrownBy(() -> ExpressionParser.parse("Monday")).isInstanceOf(ExpressionParser.ParseException.class);
        assertThatThrownBy(() -> ExpressionParser.parse("2 3")).isInstanceOf(ExpressionParser.ParseException.class);
        assertThatThrownBy(() -> ExpressionParser.parse("1 < x > 0"))
                .isInstanceOf(ExpressionParser.ParseException.class);
        assertThatThrownBy(() -> ExpressionParser.parse("-".repeat(400) + "1"))
                .isInstanceOf(ExpressionParser.ParseException.class);
        assertThatThrownBy(() -> ExpressionParser.parse("x".repeat(1001)))
                .isInstanceOf(ExpressionParser.ParseException.class);
    }

    @Test
    void numericEvaluationHandlesFunctionsAndOddRoots() throws Exception {
        Expr e = ExpressionParser.parseExpression("\\sin^2 x + \\cos^2 x");
        assertThat(NumericEvaluator.evaluate(e, Map.of("x", 0.7)))
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(NumericEvaluator.evaluate(ExpressionParser.parseExpression("\\sqrt[3]{-27}"), Map.of()))
                .isCloseTo(-3.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(NumericEvaluator.evaluate(ExpressionParser.parseExpression("\\sqrt{-1}"), Map.of()))
                .isNaN();
        assertThat(NumericEvaluator.evaluate(ExpressionParser.parseExpression("\\log_2 32"), Map.of()))
                .isCloseTo(5.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    // ---- normaliser ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "\\text{(B)}                         | B",
                "\\$1,234.50                         | 1234.50",
                "1{,}000                            | 1000",
                "1\\,000                            | 1000",
                "1 000                              | 1000",
                "7,425,000                          | 7425000",
                "1000,99                            | 1000.99",
                "0,5                                | 0.5",
                "3,5                                | 3,5",
                "\\left( 1, 2 \\right)               | ( 1, 2 )",
                "\\dfrac{3}{4}                       | \\frac{3}{4}",
                "45^{\\circ}                         | 45",
                "50\\%                               | 50%",
                "28 percent                         | 28%",
                "12 \\text{ square units}.           | 12",
                "60 \\mathrm{km/h}                   | 60",
                "5 m²                               | 5",
                "\\boxed{\\frac{1}{2}}               | \\frac{1}{2}",
                "x = 2 \\text{ or } x = 3            | x = 2, x = 3",
                "x \\in [0, 1)                       | [0, 1)",
                "(1,000)                            | (1,000)",
                "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix} | \\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}",
                "3ab                                | 3ab",
                "−4                                 | -4",
            })
    void normalizer(String raw, String expected) {
        assertThat(AnswerNormalizer.normalize(raw)).isEqualTo(expected);
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

    // ---- structure ----------------------------------------------------------------------------------------------

    @Test
    void parserReadsStructures() {
        assertThat(AnswerParser.parseRaw("[0, 1)")).isInstanceOf(Answer.Bracketed.class);
        assertThat(((Answer.Bracketed) AnswerParser.parseRaw("[0, 1)")).close()).isEqualTo(')');
        assertThat(AnswerParser.parseRaw("\\{1, 2\\}")).isInstanceOf(Answer.SetOf.class);
        assertThat(AnswerParser.parseRaw("1, 2")).isInstanceOf(Answer.ListOf.class);
        assertThat(AnswerParser.parseRaw("(0,1) \\cup (2,3)")).isInstanceOf(Answer.Union.class);
        assertThat(AnswerParser.parseRaw("1 \\pm \\sqrt{2}")).isInstanceOf(Answer.ListOf.class);
        Answer m = AnswerParser.parseRaw("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}");
        assertThat(m).isEqualTo(new Answer.Matrix(2, 2, ((Answer.Matrix) m).cells()));
        assertThat(AnswerParser.parseRaw("\\text{even}")).isEqualTo(new Answer.Text("even"));
        assertThat(AnswerParser.parseRaw("(5)")).isInstanceOf(Answer.Scalar.class);
    }

    // ---- extraction ---------------------------------------------------------------------------------------------

    @Test
    void boxes() {
        assertThat(AnswerExtractor.lastBoxed("a \\boxed{\\frac{1}{\\sqrt{2}}} b"))
                .contains("\\frac{1}{\\sqrt{2}}");
        assertThat(AnswerExtractor.lastBoxed("\\boxed{1} then \\fbox{2}")).contains("2");
        assertThat(AnswerExtractor.lastBoxed("\\boxed 7 done")).contains("7");
        assertThat(AnswerExtractor.lastBoxed("\\boxed{3} and \\boxed{4")).contains("3");
        assertThat(AnswerExtractor.lastBoxed("\\boxedx{3}")).isEmpty();
        assertThat(AnswerExtractor.lastBoxed("\\boxed{3} and \\boxed{}")).contains("3");
        assertThat(AnswerExtractor.lastBoxed("$\\boxed{\\left\\{ x \\right.}$")).contains("\\left\\{ x \\right.");
        assertThat(AnswerExtractor.lastBoxed("\\boxed{\\begin{matrix}1\\\\2\\\\}"))
                .contains("\\begin{matrix}1\\\\2\\\\");
        assertThat(AnswerExtractor.finalBoxed("\\boxed{3} and \\boxed{\\frac{1}{2}"))
                .isEmpty();
        assertThat(AnswerExtractor.finalBoxed("There are $\\boxed 10$ ways.")).contains("10");
    }

    @Test
    void legacyPhrasesAndNumbers() {
        assertThat(AnswerExtractor.lastHash("#### 5\n#### 6\nbye")).contains("6");
        assertThat(AnswerExtractor.lastAnswerPhrase("Answer: The answer is 5. I hope so"))
                .contains("5");
        assertThat(AnswerExtractor.lastNumber("from 1,200 to -3.5 and 7/8 ok")).contains("7/8");
        assertThat(AnswerExtractor.lastNumber("no digits")).isEmpty();
    }

    @Test
    void finalAnswerPhrases() {
        assertThat(AnswerExtractor.phraseCandidates("The final answer is $\\frac{1}{2}$. I hope it is correct."))
                .first()
                .isEqualTo("\\frac{1}{2}");
        assertThat(AnswerExtractor.phraseCandidates("so the answer is: 2,500 dollars."))
                .first()
                .isEqualTo("2,500 dollars");
        assertThat(AnswerExtractor.phraseCandidates("#### 7425000")).containsExactly("7425000");
        assertThat(AnswerExtractor.phraseCandidates("**Final Answer**\n\n15"))
                .first()
                .isEqualTo("15");
        // the last phrase first; "answers" and "answered" are not phrases
        assertThat(AnswerExtractor.phraseCandidates("Answer: 1\nNo wait. The answer is 2. He answered 3"))
                .first()
                .isEqualTo("2");
        assertThat(AnswerExtractor.phraseCandidates("All answers checked.")).isEmpty();
    }

    @Test
    void latexSpans() {
        assertThat(AnswerExtractor.latexCandidates("so $x = 2$ or $x = 3$"))
                .first()
                .isEqualTo("x = 2, x = 3");
        assertThat(AnswerExtractor.latexCandidates("\\[\n\\frac{3}{4}\n\\] and then \\(5\\)"))
                .containsExactly("5", "\\frac{3}{4}");
        assertThat(AnswerExtractor.latexCandidates("$$\na = 1\n$$")).containsExactly("a = 1");
        assertThat(AnswerExtractor.latexCandidates("costs \\$5 and $7$")).containsExactly("7");
        assertThat(AnswerExtractor.latexCandidates("a loss of $28$ %")).containsExactly("28 %");
        assertThat(AnswerExtractor.latexCandidates("pays $5 per hour\nno math")).isEmpty(); // '$' stays on its line
    }

    @Test
    void equalsAndLastExpression() {
        assertThat(AnswerExtractor.lastLineEquals("work\nso x = 1,000.99\n")).contains("1,000.99");
        assertThat(AnswerExtractor.lastLineEquals("a <= b")).isEmpty();
        assertThat(AnswerExtractor.expressionCandidates("there are 1 000 beads"))
                .containsExactly("1 000");
        assertThat(AnswerExtractor.expressionCandidates("chance .4")).containsExactly(".4");
        assertThat(AnswerExtractor.expressionCandidates("up 28 percent")).containsExactly("28 percent");
        assertThat(AnswerExtractor.expressionCandidates("ratio is \\dfrac{1}{3}."))
                .containsExactly("\\dfrac{1}{3}", "3");
        assertThat(AnswerExtractor.expressionCandidates("so it is 2^4")).containsExactly("2^4");
        assertThat(AnswerExtractor.expressionCandidates("from 5 to -3.")).containsExactly("-3");
        assertThat(AnswerExtractor.expressionCandidates("no digits here")).isEmpty();
    }

    // ---- equivalence --------------------------------------------------------------------------------------------

    private static final MathEquivalence MV = MathEquivalence.rounding(6);

    private static boolean eq(String predicted, String gold) {
        return MV.equivalent(predicted, gold);
    }

    @Test
    void goldLeadsEquationsAndAssignments() {
        assertThat(eq("x = 3", "3")).isTrue(); // a predicted equation against a value: its right side
        assertThat(eq("3", "x = 3")).isTrue(); // an assignment gold against a value: its value
        assertThat(eq("y = 3", "x = 3")).isFalse(); // two assignments: the variable must match
        assertThat(eq("2x - y + 1 = 0", "y = 2x + 1")).isTrue(); // the same line, scaled by -1
        assertThat(eq("x \\le 3", "x < 3")).isFalse();
        assertThat(eq("(3, \\infty)", "x > 3")).isTrue(); // an inequality gold accepts its interval
        assertThat(eq("x > 3", "(3, \\infty)")).isFalse(); // but not the reverse (Math-Verify's asymmetry)
    }

    @Test
    void percentReadings() {
        assertThat(eq("28%", "28")).isTrue();
        assertThat(eq("28%", "0.28")).isTrue();
        assertThat(eq("0.28", "28\\%")).isTrue();
        assertThat(eq("\\frac{7}{25}", "28\\%")).isTrue();
        assertThat(eq("0.5%", "0.5")).isFalse();
        assertThat(eq("0.5", "0.5\\%")).isFalse();
        assertThat(eq("29%", "0.28")).isFalse();
    }

    @Test
    void precisionRules() {
        assertThat(eq("0.333333", "\\frac{1}{3}")).isTrue();
        assertThat(eq("0.333", "\\frac{1}{3}")).isFalse();
        assertThat(eq("6.283185", "2\\pi")).isTrue();
        assertThat(eq("2 \\times 10^{-7}", "0.0000001")).isFalse(); // below the rounding step: significant digits
        assertThat(eq("\\frac{100}{3}", "33.3")).isFalse();
        assertThat(MathEquivalence.roundingToGold().equivalent("\\frac{100}{3}", "33.3"))
                .isTrue();
        assertThat(MathEquivalence.roundingToGold().equivalent("\\frac{101}{3}", "33.3"))
                .isFalse();
        MathEquivalence loose = MathEquivalence.relativeTolerance(1e-4);
        assertThat(loose.equivalent("101.99", "102")).isTrue(); // |diff| = 0.01 <= 1e-4 * 102
        assertThat(loose.equivalent("101.9", "102")).isFalse();
        assertThat(loose.equivalent("3", "2")).isFalse();
        assertThatThrownBy(() -> MathEquivalence.relativeTolerance(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void structuresAndText() {
        assertThat(eq("\\{3, 2, 1\\}", "\\{1,2,3\\}")).isTrue();
        assertThat(eq("(2, 1)", "(1, 2)")).isFalse();
        assertThat(eq("[0, 1)", "[0, 1]")).isFalse();
        assertThat(eq("\\{2, 3\\}", "2")).isFalse();
        assertThat(eq("2", "\\{2, 3\\}")).isFalse();
        assertThat(eq("1, 2", "(1, 2)")).isTrue();
        assertThat(eq("(3,\\infty)\\cup(-\\infty,2)", "(-\\infty,2)\\cup(3,\\infty)"))
                .isTrue();
        assertThat(eq("\\text{monday}", "\\text{Monday}")).isTrue();
        assertThat(eq("", "1")).isFalse();
        assertThat(MV.matches(new Answer.ListOf(List.of()), new Answer.ListOf(List.of())))
                .isTrue();
    }
}
