package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * Valid tokens and non-empty sequences of one optimizer step, summed over all its micro-batches (and, after an
 * all-reduce, over all data-parallel ranks: combine with {@link #plus}).
 */
public record StepCounts(long tokens, long sequences) {
    public static final StepCounts ZERO = new StepCounts(0, 0);

    public StepCounts {
        if (tokens < 0 || sequences < 0 || sequences > tokens) {
            throw new IllegalArgumentException(
                    "invalid step counts: " + tokens + " tokens, " + sequences + " sequences");
        }
    }

    /** Counts of one {@code [B, T]} response mask (one host sync). */
    public static StepCounts of(NDArray mask) {
        NDArray rowLengths =
                mask.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).sum(new int[] {1});
        long tokens = Math.round(rowLengths.sum().getDouble());
        long sequences = Math.round(rowLengths
                .gt(0)
                .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                .sum()
                .getDouble());
        return new StepCounts(tokens, sequences);
    }

    /** Counts of all masks of a step. */
    public static StepCounts of(Iterable<NDArray> masks) {
        StepCounts total = ZERO;
        for (NDArray mask : masks) {
            total = total.plus(of(mask));
        }
        return total;
    }

    public StepCounts plus(StepCounts other) {
        return new StepCounts(tokens + other.tokens, sequences + other.sequences);
    }
}
