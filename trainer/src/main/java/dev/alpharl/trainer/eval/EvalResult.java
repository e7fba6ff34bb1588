package dev.alpharl.trainer.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One evaluation: {@code accuracy} is mean@n (correct / graded over all prompts × n samples), {@code graded} the
 * number of graded samples; {@code greedyAccuracy} is the accuracy of greedy decoding (equal to accuracy when the
 * evaluation itself is greedy); {@code passAtN} is pass@n, the fraction of prompts with at least one correct sample
 * among their n (NaN when not measured).
 */
public record EvalResult(
        double accuracy,
        int graded,
        int correct,
        double greedyAccuracy,
        double meanLength,
        double truncatedFraction,
        double passAtN) {

    /**
     * An evaluation known only by its accuracy and number of graded samples (as a run's metrics and summary record
     * it for reports); the other fields are NaN, {@code correct} is the rounded count.
     */
    public static EvalResult ofAccuracy(double accuracy, int graded) {
        if (!(accuracy >= 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("accuracy must be in [0, 1], got " + accuracy);
        }
        if (graded <= 0) {
            throw new IllegalArgumentException("the number of graded samples must be positive, got " + graded);
        }
        return new EvalResult(
                accuracy, graded, (int) Math.round(accuracy * graded), Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * Binomial variance of the accuracy estimate, p(1 − p)/n, treating the graded samples as independent Bernoulli
     * trials (with several samples per prompt they are correlated within a prompt, so this is approximate).
     */
    public double variance() {
        return graded == 0 ? Double.NaN : accuracy * (1 - accuracy) / graded;
    }

    /** Standard error of the accuracy, √{@link #variance()}. */
    public double standardError() {
        return Math.sqrt(variance());
    }

    /** The JSON form used in summary.json and trainer state. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("n", graded);
        m.put("correct", correct);
        m.put("greedy_accuracy", greedyAccuracy);
        m.put("mean_length", meanLength);
        m.put("truncated_fraction", truncatedFraction);
        if (!Double.isNaN(passAtN)) {
            m.put("pass_at_n", passAtN); // absent when not measured
        }
        return m;
    }

    /** Inverse of {@link #toMap()}. */
    public static EvalResult fromMap(Map<String, Object> m) {
        return new EvalResult(
                number(m, "accuracy"),
                (int) number(m, "n"),
                (int) number(m, "correct"),
                number(m, "greedy_accuracy"),
                number(m, "mean_length"),
                number(m, "truncated_fraction"),
                m.containsKey("pass_at_n") ? number(m, "pass_at_n") : Double.NaN);
    }

    private static double number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("evaluation record: '" + key + "' missing or not a number in " + m);
        }
        return n.doubleValue();
    }
}
