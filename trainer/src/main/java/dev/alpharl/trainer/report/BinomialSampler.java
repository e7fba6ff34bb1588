package dev.alpharl.trainer.report;

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

    /** The smallest k with CDF(k) > u, for u uniform in [0, 1): then P(k ≤ K) = CDF(K). */
    int sample(RandomGenerator random) {
        double u = random.nextDouble();
        int low = 0;
        int high = cdf.length - 1; // cdf[n] = 1 > u
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (cdf[middle] > u) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }
}
