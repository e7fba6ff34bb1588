package dev.alpharl.datasets;

/**
 * The SplitMix64 generator (Steele, Lea, Flood 2014): state advances by the golden-ratio increment and each output
 * is the state passed through a 64-bit finaliser. Its output is fixed by its definition, so data orders derived
 * from it stay identical across JVM versions (unlike {@code java.util.Random}'s unspecified helpers).
 * Not thread-safe.
 */
public final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /**
     * A generator for a sub-stream identified by {@code keys} (e.g. (seed, epoch)): each key is folded in through
     * the finaliser, so neighbouring keys give unrelated streams.
     */
    public static SplitMix64 derive(long seed, long... keys) {
        long s = mix(seed + GOLDEN_GAMMA);
        for (long k : keys) {
            s = mix(s ^ mix(k + GOLDEN_GAMMA));
        }
        return new SplitMix64(s);
    }

    /** The SplitMix64 finaliser (variant 13 of Stafford's mixers): a bijection on 64-bit values. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, 1) on the 2⁻⁵³ grid (the top 53 bits of a draw). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), without modulo bias (rejects the incomplete top block of 31-bit draws). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long limit = (1L << 31) - ((1L << 31) % bound);
        long u;
        do {
            u = nextLong() >>> 33;
        } while (u >= limit);
        return (int) (u % bound);
    }

    /** Uniform in [lo, hi] (inclusive), without modulo bias. */
    public long nextLong(long lo, long hi) {
        if (hi < lo) {
            throw new IllegalArgumentException("empty range [" + lo + ", " + hi + "]");
        }
        long span = hi - lo + 1; // > 0 for every range used here (hi - lo < 2^63 - 1)
        if (span <= 0) {
            throw new IllegalArgumentException("range too wide: [" + lo + ", " + hi + "]");
        }
        long u;
        long r;
        do {
            u = nextLong() >>> 1;
            r = u % span;
        } while (u - r + (span - 1) < 0); // u falls in the last, incomplete block of size span
        return lo + r;
    }

    /** A stable 64-bit hash of a string: FNV-1a over its UTF-8 bytes, then the finaliser. */
    public static long hash(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001B3L;
        }
        return mix(h);
    }
}
