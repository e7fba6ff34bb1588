package dev.alpharl.trainer.eval;

/**
 * One evaluation: {@code accuracy} is mean@n (correct / graded over all prompts × n samples), {@code graded} the
 * number of graded samples; {@code greedyAccuracy} is the accuracy of greedy decoding (equal to accuracy when the
 * evaluation itself is greedy).
 */
public record EvalResult(double accuracy, int graded, int correct, double greedyAccuracy, double meanLength,
                         double truncatedFraction) {

    /** Standard error of the accuracy, treating graded samples as independent Bernoulli trials. */
    public double standardError() {
        return graded == 0 ? Double.NaN : Math.sqrt(accuracy * (1 - accuracy) / graded);
    }
}
