package dev.alpharl.trainer.metrics;

import java.util.OptionalDouble;

/**
 * Estimates the time left in a run from an exponential moving average of the step time:
 * {@code ema ← α·dt + (1−α)·ema}, started at the first observed step time, and
 * {@code eta = (totalSteps − step) · ema}. The average follows a change of pace (e.g. longer responses) within about
 * 1/α steps while damping step-to-step noise.
 */
public final class EtaEstimator {

    /** Smoothing factor of the default estimator (tqdm's default). */
    public static final double DEFAULT_ALPHA = 0.3;

    private final long totalSteps;
    private final double alpha;
    private double ema = Double.NaN;

    public EtaEstimator(long totalSteps) {
        this(totalSteps, DEFAULT_ALPHA);
    }

    public EtaEstimator(long totalSteps, double alpha) {
        if (totalSteps < 0) {
            throw new IllegalArgumentException("totalSteps must be >= 0, got " + totalSteps);
        }
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
        }
        this.totalSteps = totalSteps;
        this.alpha = alpha;
    }

    /** Records the wall-clock seconds of one step. */
    public void observe(double stepSeconds) {
        if (!(stepSeconds >= 0) || Double.isInfinite(stepSeconds)) {
            throw new IllegalArgumentException("step time must be finite and >= 0, got " + stepSeconds);
        }
        ema = Double.isNaN(ema) ? stepSeconds : alpha * stepSeconds + (1 - alpha) * ema;
    }

    public long totalSteps() {
        return totalSteps;
    }

    /** The smoothed seconds per step; empty before the first observation. */
    public OptionalDouble secondsPerStep() {
        return Double.isNaN(ema) ? OptionalDouble.empty() : OptionalDouble.of(ema);
    }

    /** Seconds left after {@code completedStep} (steps are numbered 1..totalSteps); empty before any observation. */
    public OptionalDouble remainingSeconds(long completedStep) {
        if (Double.isNaN(ema)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, totalSteps - completedStep) * ema);
    }
}
