package dev.alpharl.trainer.report;

import dev.alpharl.trainer.eval.EvalResult;
import java.util.Arrays;
import java.util.Optional;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/**
 * How much of the full run's accuracy gain the accelerated run kept: R = (a − c) / (b − c), with a the accelerated
 * run's final accuracy, b the full run's and c the initial model's.
 *
 * <p>The 95% interval is a seeded parametric bootstrap: each draw resamples a, b and c as Binomial(n, p)/n from
 * their own accuracy and sample count and recomputes R; the interval is the 2.5% and 97.5% percentiles. Draws whose
 * full-run gain b − c is not positive have no ratio; when they exceed 2.5% of the draws the full run's gain is
 * within noise and the interval is unbounded.
 *
 * @param estimate R, or empty when the full run gained nothing (b ≤ c)
 * @param ci95 the bootstrap interval (infinite bounds when unbounded); null when the estimate is empty
 */
public record GainRetained(Optional<Double> estimate, Interval ci95) {
    public static final int DRAWS = 10_000;
    public static final long SEED = 20_240_917L;
    /** How {@link #of(EvalResult, EvalResult, EvalResult)} computes the interval, for the report. */
    public static final String METHOD = "parametric bootstrap (a, b and the base resampled as Binomial(n, p)/n, "
            + DRAWS + " draws, seed " + SEED + "), 2.5% and 97.5% percentiles";

    /** The point estimate R = (a − c) / (b − c), empty when b − c ≤ 0. */
    static Optional<Double> ratio(double accelerated, double full, double base) {
        double fullGain = full - base;
        return fullGain > 0 ? Optional.of((accelerated - base) / fullGain) : Optional.empty();
    }

    public static GainRetained of(EvalResult accelerated, EvalResult full, EvalResult base) {
        return of(accelerated, full, base, DRAWS, SEED);
    }

    static GainRetained of(EvalResult accelerated, EvalResult full, EvalResult base, int draws, long seed) {
        Optional<Double> estimate = ratio(accelerated.accuracy(), full.accuracy(), base.accuracy());
        if (estimate.isEmpty()) {
            return new GainRetained(estimate, null);
        }
        RandomGenerator random = new Well19937c(seed);
        BinomialSampler a = new BinomialSampler(accelerated.graded(), accelerated.accuracy());
        BinomialSampler b = new BinomialSampler(full.graded(), full.accuracy());
        BinomialSampler c = new BinomialSampler(base.graded(), base.accuracy());
        double[] ratios = new double[draws];
        int defined = 0;
        for (int i = 0; i < draws; i++) {
            double aStar = (double) a.sample(random) / accelerated.graded();
            double bStar = (double) b.sample(random) / full.graded();
            double cStar = (double) c.sample(random) / base.graded();
            Optional<Double> r = ratio(aStar, bStar, cStar);
            if (r.isPresent()) {
                ratios[defined++] = r.get();
            }
        }
        if (draws - defined > 0.025 * draws) {
            return new GainRetained(estimate, new Interval(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
        }
        double[] sorted = Arrays.copyOf(ratios, defined);
        Arrays.sort(sorted);
        return new GainRetained(estimate, new Interval(percentile(sorted, 0.025), percentile(sorted, 0.975)));
    }

    /** Linear interpolation between order statistics at position q·(m − 1). */
    static double percentile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
