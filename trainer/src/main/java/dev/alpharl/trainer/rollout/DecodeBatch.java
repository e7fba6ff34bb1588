package dev.alpharl.trainer.rollout;

import dev.alpharl.trainer.model.KvCache;
import java.util.stream.IntStream;

/**
 * The rows decoding together: their KV cache, which requested row each batch row is ({@code live}), the key mask over
 * the cache's filled slots (row-major [rows, width]; 1 = a real token, 0 = padding the attention hides) and each
 * row's next input token.
 */
record DecodeBatch(KvCache cache, int[] live, long[] keyMask, long[] feed) implements AutoCloseable {

    static final DecodeBatch EMPTY = new DecodeBatch(null, new int[0], new long[0], new long[0]);

    /** Filled key slots per row. */
    long width() {
        return live.length == 0 ? 0 : keyMask.length / live.length;
    }

    /** Some key slot is padding, so the forward needs the mask. */
    boolean masked() {
        for (long m : keyMask) {
            if (m == 0) {
                return true;
            }
        }
        return false;
    }

    /** Rows not yet finished. */
    int running(DecodeRows rows) {
        int n = 0;
        for (int r : live) {
            n += rows.done(r) ? 0 : 1;
        }
        return n;
    }

    /** Dropping finished rows copies the cache: worth it once an eighth of the batch (at least one row) is done. */
    boolean worthCompacting(DecodeRows rows) {
        int finished = live.length - running(rows);
        return finished > 0 && finished >= Math.max(1, live.length / 8);
    }

    long[] liveIndices(DecodeRows rows) {
        return IntStream.range(0, live.length)
                .filter(i -> !rows.done(live[i]))
                .mapToLong(i -> i)
                .toArray();
    }

    long[] allIndices() {
        return IntStream.range(0, live.length).mapToLong(i -> i).toArray();
    }

    /** The first slot any of the batch rows {@code keep} reads (slots before it are padding in all of them). */
    long firstReadSlot(long[] keep) {
        long w = width();
        long first = w;
        for (long i : keep) {
            for (long c = 0; c < first; c++) {
                if (keyMask[(int) (i * w + c)] != 0) {
                    first = c;
                    break;
                }
            }
        }
        return first;
    }

    /** Writes batch row {@code i}'s mask from slot {@code from} on, right-aligned in {@code width}, as row {@code to}. */
    void copyMask(int i, long from, long[] out, int to, long width) {
        long w = width();
        int span = (int) (w - from);
        System.arraycopy(keyMask, (int) (i * w + from), out, (int) (to * width + width - span), span);
    }

    /** The key mask with one more real slot per row, for the token fed now (a pad fed to a finished row is never read). */
    long[] grownMask() {
        int b = live.length;
        int s = keyMask.length / b;
        long[] grown = new long[b * (s + 1)];
        for (int r = 0; r < b; r++) {
            System.arraycopy(keyMask, r * s, grown, r * (s + 1), s);
            grown[r * (s + 1) + s] = 1;
        }
        return grown;
    }

    /** The same rows after a decode step: the grown mask and the next inputs. */
    DecodeBatch next(long[] grownMask, long[] nextFeed) {
        return new DecodeBatch(cache, live, grownMask, nextFeed);
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.close();
        }
    }
}
