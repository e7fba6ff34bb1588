package dev.alpharl.datasets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Endless, resumable, seeded iteration over a dataset: epoch e visits every sample exactly once, in the order of a
 * Fisher-Yates permutation drawn from {@code SplitMix64.derive(seed, e)}. Because each epoch's order is a pure
 * function of (seed, epoch), a {@link Cursor} of (epoch, position) is all it takes to resume exactly.
 * Not thread-safe.
 */
public final class EpochSampler {

    /**
     * Where the sampler stands: the next sample returned is entry {@code position} of epoch {@code epoch}'s order.
     * {@code seed}, {@code size} and {@code fingerprint} (a hash of the sample ids in dataset order) identify the
     * data and order the cursor belongs to, so restoring it against other data is an error rather than a silent
     * change of order. Jackson serialises it as a JSON object with these five fields.
     */
    public record Cursor(long seed, int size, long fingerprint, long epoch, int position) {

        public Cursor {
            if (size <= 0 || epoch < 0 || position < 0 || position >= size) {
                throw new DatasetException("invalid data cursor: size " + size + ", epoch " + epoch + ", position "
                        + position + " (need size > 0, epoch >= 0, 0 <= position < size)");
            }
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seed", seed);
            m.put("size", size);
            m.put("fingerprint", fingerprint);
            m.put("epoch", epoch);
            m.put("position", position);
            return m;
        }

        /** Inverse of {@link #toMap()}; accepts any integral {@link Number} (as JSON or YAML parsers give). */
        public static Cursor fromMap(Map<String, ?> m) {
            for (String key : m.keySet()) {
                if (!List.of("seed", "size", "fingerprint", "epoch", "position").contains(key)) {
                    throw new DatasetException("data cursor: unknown key '" + key
                            + "' (expected seed, size, fingerprint, epoch, position)");
                }
            }
            long size = integral(m, "size");
            long position = integral(m, "position");
            if (size > Integer.MAX_VALUE || position > Integer.MAX_VALUE) {
                throw new DatasetException("data cursor: size/position out of range: " + m);
            }
            return new Cursor(
                    integral(m, "seed"), (int) size, integral(m, "fingerprint"), integral(m, "epoch"), (int) position);
        }

        private static long integral(Map<String, ?> m, String key) {
            Object v = m.get(key);
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                return ((Number) v).longValue();
            }
            if (v instanceof java.math.BigInteger b && b.bitLength() < 64) {
                return b.longValue();
            }
            throw new DatasetException("data cursor: key '" + key + "' must be an integer, got "
                    + (v == null ? "nothing" : v.getClass().getSimpleName() + " " + v));
        }
    }

    private final List<PromptSample> samples;
    private final long seed;
    private final long fingerprint;
    private long epoch;
    private int position;
    private final boolean shuffle;
    private int[] order; // permutation of the current epoch

    public EpochSampler(List<PromptSample> samples, long seed) {
        this(samples, seed, true);
    }

    /** With {@code shuffle} false every epoch visits the samples in dataset order. */
    public EpochSampler(List<PromptSample> samples, long seed, boolean shuffle) {
        if (samples.isEmpty()) {
            throw new DatasetException("cannot sample from an empty dataset");
        }
        this.samples = List.copyOf(samples);
        this.seed = seed;
        this.shuffle = shuffle;
        this.fingerprint = fingerprint(this.samples);
        this.order = order(0);
    }

    private int[] order(long epoch) {
        return shuffle
                ? permutation(samples.size(), seed, epoch)
                : java.util.stream.IntStream.range(0, samples.size()).toArray();
    }

    /** The permutation of {@code [0, n)} for one epoch: Fisher-Yates driven by {@code SplitMix64.derive(seed, epoch)}. */
    public static int[] permutation(int n, long seed, long epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplitMix64 rng = SplitMix64.derive(seed, epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The next {@code n} samples; an epoch boundary inside the batch simply continues into the next epoch's order. */
    public List<PromptSample> next(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("batch size must be non-negative, got " + n);
        }
        List<PromptSample> batch = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            batch.add(samples.get(order[position]));
            if (++position == order.length) {
                position = 0;
                epoch++;
                order = order(epoch);
            }
        }
        return batch;
    }

    public Cursor cursor() {
        return new Cursor(seed, samples.size(), fingerprint, epoch, position);
    }

    /** Continues exactly where {@code cursor} was taken, provided it belongs to this seed and data. */
    public void restore(Cursor cursor) {
        if (cursor.seed() != seed || cursor.size() != samples.size() || cursor.fingerprint() != fingerprint) {
            throw new DatasetException("data cursor belongs to other data or another seed: cursor has seed "
                    + cursor.seed() + ", size " + cursor.size() + ", fingerprint " + cursor.fingerprint()
                    + "; this dataset has seed " + seed + ", size " + samples.size() + ", fingerprint "
                    + fingerprint);
        }
        if (cursor.epoch() != epoch) {
            order = order(cursor.epoch());
        }
        epoch = cursor.epoch();
        position = cursor.position();
    }

    public int size() {
        return samples.size();
    }

    public long epoch() {
        return epoch;
    }

    /** An order-dependent hash of the sample ids. */
    static long fingerprint(List<PromptSample> samples) {
        long h = samples.size();
        for (PromptSample s : samples) {
            h = SplitMix64.mix(h + SplitMix64.hash(s.id()));
        }
        return h;
    }
}
