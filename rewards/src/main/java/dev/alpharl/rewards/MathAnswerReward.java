package dev.alpharl.rewards;

import dev.alpharl.rewards.math.Answer;
import dev.alpharl.rewards.math.AnswerExtractor;
import dev.alpharl.rewards.math.AnswerExtractor.Method;
import dev.alpharl.rewards.math.AnswerNormalizer;
import dev.alpharl.rewards.math.AnswerParser;
import dev.alpharl.rewards.math.MathEquivalence;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy reward for math (docs/math-reward.md): extract the final answer of the completion, normalise, parse
 * and compare with the gold answer. Scores {@code correct} when equivalent, else {@code wrong} (also when no answer
 * is found). The gold may be a bare answer, a GSM8K solution ending in "#### N", or a MATH solution with a
 * \boxed{}.
 *
 * <p>The extraction methods are tried in order. A legacy method ({@link Method#firstFoundWins()}) decides with
 * the first thing it finds; a flexible one offers candidates until one parses as mathematics (or, for a text
 * gold such as "Monday", until one is found at all).
 */
public final class MathAnswerReward implements RewardFunction {

    /**
     * @param extract     answer forms tried in order
     * @param tailChars   only the last tailChars characters of the completion are searched (DAPO: 300); 0 = all
     * @param relTol      0: approximate values are rounded to {@code decimals} places (Math-Verify's rule); else
     *                    they agree within this relative tolerance (the gsm8k style's earlier behaviour, 1e-4)
     * @param decimals    decimal places of the rounding rule (Math-Verify's default: 6); {@link #GOLD_DECIMALS}:
     *                    the gold's own number of decimals when it is a decimal
     * @param answerField the sample field holding the gold answer
     */
    public record Config(
            List<Method> extract,
            int tailChars,
            double relTol,
            int decimals,
            double correct,
            double wrong,
            String answerField) {
        public Config {
            if (extract.isEmpty())
                throw new IllegalArgumentException("math reward needs at least one extraction method");
            if (tailChars < 0) throw new IllegalArgumentException("tail-chars must be >= 0, got " + tailChars);
            if (!(relTol >= 0 && relTol < 1))
                throw new IllegalArgumentException("rel-tol must be in [0, 1), got " + relTol);
            if (decimals < GOLD_DECIMALS || decimals > 15)
                throw new IllegalArgumentException("decimals must be in [0, 15] or 'gold', got " + decimals);
            extract = List.copyOf(extract);
        }

        /**
         * The default, like Math-Verify's: the last \boxed{}, else a final-answer phrase, else the last LaTeX math
         * span, else "= X" ending the last line, else the last number or bare expression; 1 / 0.
         */
        public static Config math() {
            return new Config(
                    List.of(Method.BOXED, Method.PHRASE, Method.LATEX, Method.EQUALS, Method.EXPRESSION),
                    0,
                    0,
                    MathEquivalence.DEFAULT_DECIMALS,
                    1.0,
                    0.0,
                    "answer");
        }

        /** Strict Qwen-Math prompts ("put your final answer within \boxed{}"): only the last box counts; 1 / 0. */
        public static Config boxed() {
            return new Config(List.of(Method.BOXED), 0, 0, MathEquivalence.DEFAULT_DECIMALS, 1.0, 0.0, "answer");
        }

        /**
         * GSM8K "flexible", unchanged from before issue 12 for the tiny-model jobs: "#### N", \boxed, "The answer is",
         * else the last number, approximate values within a relative 1e-4; 1 / 0.
         */
        public static Config gsm8k() {
            return new Config(
                    List.of(Method.HASH, Method.BOXED, Method.ANSWER, Method.LAST_NUMBER),
                    0,
                    1e-4,
                    MathEquivalence.DEFAULT_DECIMALS,
                    1.0,
                    0.0,
                    "answer");
        }

        /** DAPO: "Answer: X" within the last 300 characters; +1 / −1. */
        public static Config dapo() {
            return new Config(List.of(Method.ANSWER), 300, 0, MathEquivalence.DEFAULT_DECIMALS, 1.0, -1.0, "answer");
        }
    }

    /** {@link Config#decimals()} meaning "round to the gold's own number of decimals". */
    public static final int GOLD_DECIMALS = -1;

    /** A final answer longer than this is wrong without further work (no answer is that long; bounds the cost). */
    public static final int MAX_ANSWER_CHARS = 1000;

    private final Config config;
    private final MathEquivalence equivalence;

    public MathAnswerReward(Config config) {
        this.config = config;
        this.equivalence = config.relTol() > 0
                ? MathEquivalence.relativeTolerance(config.relTol())
                : config.decimals() == GOLD_DECIMALS
                        ? MathEquivalence.roundingToGold()
                        : MathEquivalence.rounding(config.decimals());
    }

    @Override
    public String name() {
        return "math";
    }

    @Override
    public RewardResult score(String prompt, String completion, Map<String, Object> fields) {
        String gold = goldAnswer(fields);
        String text = config.tailChars() > 0 && completion.length() > config.tailChars()
                ? completion.substring(completion.length() - config.tailChars())
                : completion;
        Map<String, Object> diagnostics = new LinkedHashMap<>();
        String goldNormalized = AnswerNormalizer.normalize(gold);
        diagnostics.put("gold", goldNormalized);
        Answer goldAnswer = AnswerParser.parse(goldNormalized);
        boolean textGold = !isMath(goldAnswer);
        String fallbackMethod = null, fallback = null;
        for (Method method : config.extract()) {
            for (String found : method.candidates(text)) {
                if (found.length() > MAX_ANSWER_CHARS) {
                    if (!method.firstFoundWins()) continue;
                    diagnostics.put("method", method.name().toLowerCase());
                    diagnostics.put("extracted", found.substring(0, 80) + "…");
                    diagnostics.put("correct", false);
                    diagnostics.put("problem", "answer longer than " + MAX_ANSWER_CHARS + " characters");
                    return RewardResult.of(config.wrong(), diagnostics);
                }
                String predicted = AnswerNormalizer.normalize(found);
                Answer parsed = AnswerParser.parse(predicted);
                if (!method.firstFoundWins() && !textGold && !isMath(parsed)) {
                    if (fallback == null) {
                        fallbackMethod = method.name().toLowerCase();
                        fallback = predicted;
                    }
                    continue;
                }
                if (method == Method.BOXED && solutions(goldAnswer) >= 2 && solutions(parsed) == 1) {
                    // "x = \boxed{2} or x = \boxed{3}" for the gold "2, 3": the last boxes together
                    String joined = String.join(", ", AnswerExtractor.lastBoxes(text, solutions(goldAnswer)));
                    String all = AnswerNormalizer.normalize(joined);
                    Answer allParsed = AnswerParser.parse(all);
                    if (equivalence.matches(goldAnswer, allParsed))
                        return verdict(diagnostics, "boxed", all, allParsed, goldNormalized, goldAnswer);
                }
                return verdict(diagnostics, method.name().toLowerCase(), predicted, parsed, goldNormalized, goldAnswer);
            }
        }
        if (fallback != null) // nothing parsed: the first text found is compared as text
        return verdict(diagnostics, fallbackMethod, fallback, AnswerParser.parse(fallback), goldNormalized, goldAnswer);
        diagnostics.put("extracted", null);
        diagnostics.put("correct", false);
        return RewardResult.of(config.wrong(), diagnostics);
    }

    private RewardResult verdict(
            Map<String, Object> diagnostics,
            String method,
            String predicted,
            Answer parsed,
            String goldNormalized,
            Answer goldAnswer) {
        boolean correct =
                !predicted.isEmpty() && (predicted.equals(goldNormalized) || equivalence.matches(goldAnswer, parsed));
        diagnostics.put("method", method);
        diagnostics.put("extracted", predicted);
        diagnostics.put("correct", correct);
        return RewardResult.of(correct ? config.correct() : config.wrong(), diagnostics);
    }

    /** How many solutions an answer lists: the items of a bare list or a set, else 1. */
    private static int solutions(Answer a) {
        if (a instanceof Answer.ListOf l) return l.items().size();
        if (a instanceof Answer.SetOf s) return s.items().size();
        return 1;
    }

    /** True when nothing in the answer is text (a list of prose fragments is not an answer). */
    static boolean isMath(Answer a) {
        if (a instanceof Answer.Text) return false;
        if (a instanceof Answer.ListOf l) return l.items().stream().allMatch(MathAnswerReward::isMath);
        if (a instanceof Answer.SetOf s) return s.items().stream().allMatch(MathAnswerReward::isMath);
        if (a instanceof Answer.Bracketed b) return b.items().stream().allMatch(MathAnswerReward::isMath);
        if (a instanceof Answer.Union u) return u.parts().stream().allMatch(MathAnswerReward::isMath);
        if (a instanceof Answer.Matrix m) return m.cells().stream().allMatch(MathAnswerReward::isMath);
        return true;
    }

    /**
     * The gold answer field; a GSM8K or MATH solution is reduced to its final answer (the datasets module reads
     * gold answers with the same extractors). A solution whose final answer cannot be found is an error, not a
     * gold that nothing matches.
     */
    private String goldAnswer(Map<String, Object> fields) {
        String field = config.answerField();
        Object value = fields.get(field);
        if (value == null) {
            throw new IllegalArgumentException(
                    "math reward: the sample has no '" + field + "' field (fields: " + fields.keySet() + ")");
        }
        String gold = value instanceof Number n ? numberText(n) : value.toString();
        if (gold.contains("####")) {
            return AnswerExtractor.lastHash(gold)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "math reward: the gold '" + field + "' has '####' but no answer after it"));
        }
        if (gold.contains("\\boxed") || gold.contains("\\fbox")) {
            return AnswerExtractor.finalBoxed(gold)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "math reward: the gold '" + field + "' ends in an unclosed or empty \\boxed{}"));
        }
        if (gold.isBlank()) throw new IllegalArgumentException("math reward: the gold '" + field + "' is blank");
        return gold;
    }

    private static String numberText(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
            return new java.math.BigDecimal(n.toString()).toPlainString();
        }
        return n.toString();
    }
}
