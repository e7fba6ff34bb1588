package dev.alpharl.rewards;

/** DAPO soft overlong punishment (ALGORITHMS.md §6.4), a pure function of the completion length. */
public final class OverlongPenalty {
    private OverlongPenalty() {}

    /**
     * With expected = L_max − L_buf and exceed = |o| − expected:
     * <pre>  penalty = −min(max(exceed, 0), L_buf) / L_buf · factor  </pre>
     * 0 up to L_max − L_buf tokens, falling linearly to −factor at L_max, and −factor beyond (exceed capped at L_buf,
     * as OpenRLHF; TRL's get_soft_overlong_punishment gives the same values for factor 1).
     *
     * @param length    completion length in tokens
     * @param maxLength L_max, the maximum response length
     * @param buffer    L_buf, the soft zone width, 0 < L_buf ≤ L_max
     * @param factor    penalty at and beyond L_max (DAPO: 1)
     */
    public static double penalty(int length, int maxLength, int buffer, double factor) {
        if (buffer <= 0 || buffer > maxLength) {
            throw new IllegalArgumentException(
                    "overlong buffer must be in (0, max-length=" + maxLength + "], got " + buffer);
        }
        if (length < 0) throw new IllegalArgumentException("completion length must be >= 0, got " + length);
        int exceed = length - (maxLength - buffer);
        if (exceed <= 0) return 0.0;
        return -Math.min(exceed, buffer) / (double) buffer * factor;
    }
}
