package dev.alpharl.trainer.report;

import java.util.Arrays;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/** Draws from Binomial(n, p) by inverting a precomputed CDF table: O(n) once, then O(log n) per draw. */
final class BinomialSampler {
    private final double[] cdf;

    BinomialSampler(int n, double p) {
        BinomialDistribution distribution = new BinomialDistribution(null, n, p);
        cdf = new double[n + 1];
        for (int k = 0; k <= n; k++) {
            cdf[k] = distribution.cumulativeProbability(k);
        }
        cdf[n] = 1.0;
    }

    /** The smallest k with CDF(k) ≥ u, for u uniform in [0, 1). */
    int sample(RandomGenerator random) {
        int index = Arrays.binarySearch(cdf, random.nextDouble());
        return index >= 0 ? index : -index - 1;
    }
}
