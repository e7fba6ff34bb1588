package dev.alpharl.bench;

import java.util.SplittableRandom;

/**
 * The completion lengths an RL-step bench forces on both sides: spread over [1, max] by stratified sampling, so that
 * every run has short, middling and long rows and its longest row is close to max. Row k of a random order gets a
 * length drawn uniformly from its stratum
 * <pre>
 *   [⌊k·max/B⌋ + 1, max(⌊k·max/B⌋ + 1, ⌊(k+1)·max/B⌋)],   k = 0 … B−1
 * </pre>
 * (the last stratum ends at max; with B &gt; max some strata hold one length only).
 */
final class CompletionLengths {

    private CompletionLengths() {}

    /** One length per row, in [1, max], drawn from {@code seed}. */
    static int[] spread(int rows, int max, long seed) {
        if (rows < 1 || max < 1) {
            throw new IllegalArgumentException("need rows >= 1 and max >= 1, got " + rows + " and " + max);
        }
        SplittableRandom r = new SplittableRandom(seed);
        int[] byStratum = new int[rows];
        for (int k = 0; k < rows; k++) {
            int lo = (int) ((long) k * max / rows) + 1;
            int hi = Math.max(lo, (int) ((long) (k + 1) * max / rows));
            byStratum[k] = lo + r.nextInt(hi - lo + 1);
        }
        // Fisher–Yates: which row gets which stratum
        for (int i = rows - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = byStratum[i];
            byStratum[i] = byStratum[j];
            byStratum[j] = t;
        }
        return byStratum;
    }
}
