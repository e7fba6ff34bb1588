package dev.alpharl.trainer.alpharl;

import java.util.List;

/**
 * Coherence of successive increments (ALPHARL.md §11), which separates a drift from a diffusion. With the increments
 * d_t = W_t − W_{t−1} between consecutive checkpoints (W_0 the base), one transition's terms are
 * <pre>  ⟨d_t, d_{t+1}⟩,  ‖d_t‖²,  ‖d_{t+1}‖²,      cos_t = ⟨d_t, d_{t+1}⟩ / (‖d_t‖·‖d_{t+1}‖)</pre>
 * Terms add over tensors, so a set of tensors is pooled as one long vector; a run's coherence is the mean of cos_t
 * over its transitions. A linear drift W_t = W_0 + t·D gives 1, a random walk (independent increments) about 0, and
 * independent noise around a fixed point (d_t = e_t − e_{t−1}) about −1/2.
 *
 * @param dot             ⟨d_t, d_{t+1}⟩
 * @param previousSquared ‖d_t‖²
 * @param nextSquared     ‖d_{t+1}‖²
 */
public record IncrementCoherence(double dot, double previousSquared, double nextSquared) {

    /** No terms (the neutral element of {@link #plus}). */
    public static final IncrementCoherence NONE = new IncrementCoherence(0, 0, 0);

    /** The terms of one tensor's transition from increment {@code previous} to {@code next} (same length). */
    public static IncrementCoherence of(float[] previous, float[] next) {
        if (previous.length != next.length) {
            throw new IllegalArgumentException(
                    "increments differ in length: " + previous.length + " vs " + next.length);
        }
        return new IncrementCoherence(
                Vectors.dot(previous, next), Vectors.dot(previous, previous), Vectors.dot(next, next));
    }

    /** The terms of the union of two tensor sets (inner products and squared norms add). */
    public IncrementCoherence plus(IncrementCoherence other) {
        return new IncrementCoherence(
                dot + other.dot, previousSquared + other.previousSquared, nextSquared + other.nextSquared);
    }

    /** cos_t, or NaN when an increment is zero. */
    public double cosine() {
        double norms = Math.sqrt(previousSquared * nextSquared);
        return norms > 0 ? dot / norms : Double.NaN;
    }

    /** The mean of cos_t over transitions, NaN ones skipped (NaN when none is defined). */
    public static double meanCosine(List<IncrementCoherence> transitions) {
        double sum = 0;
        int count = 0;
        for (IncrementCoherence t : transitions) {
            double c = t.cosine();
            if (!Double.isNaN(c)) {
                sum += c;
                count++;
            }
        }
        return count > 0 ? sum / count : Double.NaN;
    }
}
