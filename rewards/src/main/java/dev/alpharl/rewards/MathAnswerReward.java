package dev.alpharl.rewards;

import dev.alpharl.rewards.math.AnswerExtractor;
import dev.alpharl.rewards.math.AnswerExtractor.Method;
import dev.alpharl.rewards.math.AnswerNormalizer;
import dev.alpharl.rewards.math.MathEquivalence;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Accuracy reward for math: extract the final answer of the completion, normalise, and compare with the gold
 * answer (ALGORITHMS.md §9). Scores {@code correct} when equivalent, else {@code wrong} (also when no answer is
 * found). The gold may be a bare answer, a GSM8K solution ending in "#### N", or a MATH solution with a \boxed{}.
 */
public final class MathAnswerReward implements RewardFunction {

    /**
     * @param extract     answer forms tried in order; the first that finds something wins
     * @param tailChars   only the last tailChars characters of the completion are searched (DAPO: 300); 0 = all
     * @param relTol      relative tolerance when decimals or irrationals are compared
     * @param answerField the sample field holding the gold answer
     */
    public record Config(
            List<Method> extract, int tailChars, double relTol, double correct, double wrong, String answerField) {
        public Config {
            if (extract.isEmpty())
                throw new IllegalArgumentException("math reward needs at least one extraction method");
            if (tailChars < 0) throw new IllegalArgumentException("tail-chars must be >= 0, got " + tailChars);
            extract = List.copyOf(extract);
        }

        /** MATH / Qwen-boxed convention: last \boxed{}, else "The answer is"; 1 / 0. */
        public static Config math() {
            return new Config(List.of(Method.BOXED, Method.ANSWER), 0, 1e-4, 1.0, 0.0, "answer");
        }

        /** GSM8K "flexible": "#### N", \boxed{}, "The answer is", else the last number; 1 / 0. */
        public static Config gsm8k() {
            return new Config(
                    List.of(Method.HASH, Method.BOXED, Method.ANSWER, Method.LAST_NUMBER), 0, 1e-4, 1.0, 0.0, "answer");
        }

        /** DAPO: "Answer: X" within the last 300 characters; +1 / −1. */
        public static Config dapo() {
            return new Config(List.of(Method.ANSWER), 300, 1e-4, 1.0, -1.0, "answer");
        }
    }

    /** A final answer longer than this is wrong without further work (no answer is that long; bounds the cost). */
    public static final int MAX_ANSWER_CHARS = 1000;

    private final Config config;
    private final MathEquivalence equivalence;

    public MathAnswerReward(Config config) {
        this.config = config;
        this.equivalence = new MathEquivalence(config.relTol());
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
        for (Method method : config.extract()) {
            Optional<String> found = method.extract(text);
            if (found.isEmpty()) continue;
            diagnostics.put("method", method.name().toLowerCase());
            if (found.get().length() > MAX_ANSWER_CHARS) {
                diagnostics.put("extracted", found.get().substring(0, 80) + "…");
                diagnostics.put("correct", false);
                diagnostics.put("problem", "answer longer than " + MAX_ANSWER_CHARS + " characters");
                return RewardResult.of(config.wrong(), diagnostics);
            }
            String predicted = AnswerNormalizer.normalize(found.get());
            boolean correct = equivalence.equivalentNormalized(predicted, goldNormalized);
            diagnostics.put("extracted", predicted);
            diagnostics.put("correct", correct);
            return RewardResult.of(correct ? config.correct() : config.wrong(), diagnostics);
        }
        diagnostics.put("extracted", null);
        diagnostics.put("correct", false);
        return RewardResult.of(config.wrong(), diagnostics);
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
