package dev.alpharl.trainer.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One evaluation: {@code accuracy} is mean@n (correct / graded over all prompts × n samples), {@code graded} the
 * number of graded samples; {@code greedyAccuracy} is the accuracy of greedy decoding (equal to accuracy when the
 * evaluation itself is greedy).
 */
public record EvalResult(
        double accuracy, int graded, int correct, double greedyAccuracy, double meanLength, double truncatedFraction) {

    /** Standard error of the accuracy, treating graded samples as independent Bernoulli trials. */
    public double standardError() {
        return graded == 0 ? Double.NaN : Math.sqrt(accuracy * (1 - accuracy) / graded);
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
                number(m, "truncated_fraction"));
    }

    private static double number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("evaluation record: '" + key + "' missing or not a number in " + m);
        }
        return n.doubleValue();
    }
}
