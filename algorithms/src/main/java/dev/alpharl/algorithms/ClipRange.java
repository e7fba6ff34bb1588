package dev.alpharl.algorithms;

/**
 * Trust-region settings of the clipped policy losses: the ratio is clipped to {@code [1 − epsLow, 1 + epsHigh]}
 * and, for negative advantages, the dual clip caps the loss at {@code −c·A}. {@code dualClipC} is
 * {@link Double#POSITIVE_INFINITY} when the dual clip is off; {@code epsLow} may be infinite (no lower bound, as in
 * TRL's CISPO).
 */
public record ClipRange(double epsLow, double epsHigh, double dualClipC) {
    /** verl's dual-clip constant {@code clip_ratio_c}. */
    public static final double VERL_DUAL_CLIP_C = 3.0;

    public ClipRange {
        if (!(epsLow >= 0) || !(epsHigh >= 0)) {
            throw new IllegalArgumentException("clip-low and clip-high must be >= 0, got " + epsLow + ", " + epsHigh);
        }
        if (!(dualClipC > 1)) {
            throw new IllegalArgumentException(
                    "dual-clip constant c must be > 1 (or infinite = off), got " + dualClipC);
        }
    }

    /** {@code [1 − eps, 1 + eps]}, no dual clip. */
    public static ClipRange symmetric(double eps) {
        return new ClipRange(eps, eps, Double.POSITIVE_INFINITY);
    }

    /** Decoupled clip (DAPO clip-higher), no dual clip. */
    public static ClipRange of(double epsLow, double epsHigh) {
        return new ClipRange(epsLow, epsHigh, Double.POSITIVE_INFINITY);
    }

    public ClipRange withDualClip(double c) {
        return new ClipRange(epsLow, epsHigh, c);
    }

    public boolean dualClip() {
        return dualClipC != Double.POSITIVE_INFINITY;
    }

    public double lower() {
        return 1 - epsLow;
    }

    public double upper() {
        return 1 + epsHigh;
    }
}
