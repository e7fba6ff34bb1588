package dev.alpharl.trainer.rollout;

import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What one generate call has produced per requested row, wherever the row sits in the decode batch: its tokens and
 * sampling log-probs so far, whether it has finished (stop token or length limit), the RoPE position of its next
 * token, its own random generator and its length limit. Row r is sample {@code r mod G} of prompt {@code r / G}.
 */
final class DecodeRows {

    private final SamplingParams params;
    private final int group;
    private final long[][] tokens;
    private final float[][] logprobs;
    private final int[] produced;
    private final boolean[] done;
    private final long[] nextPosition;
    private final SplittableRandom[] streams;
    private final int[] limits;

    /** {@code limits}: each row's max-new-tokens, or null for the params' on every row. */
    DecodeRows(List<long[]> prompts, int group, SamplingParams params, int[] limits, SplittableRandom rng) {
        this.params = params;
        this.group = group;
        int n = prompts.size() * group;
        tokens = new long[n][params.maxNewTokens()];
        logprobs = new float[n][params.maxNewTokens()];
        produced = new int[n];
        done = new boolean[n];
        nextPosition = new long[n];
        streams = new SplittableRandom[n];
        this.limits = limits != null ? limits : filled(n, params.maxNewTokens());
        for (int r = 0; r < n; r++) {
            nextPosition[r] = prompts.get(r / group).length;
            // split in row order: a row's draws do not depend on when it enters or leaves the batch
            streams[r] = rng.split();
        }
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[n];
        Arrays.fill(a, value);
        return a;
    }

    int count() {
        return done.length;
    }

    int group() {
        return group;
    }

    SamplingParams params() {
        return params;
    }

    boolean done(int row) {
        return done[row];
    }

    /** One uniform for each of {@code rows} from that row's own generator (none drawn when greedy). */
    float[] uniforms(int[] rows) {
        float[] u = new float[rows.length];
        if (!params.greedy()) {
            for (int i = 0; i < rows.length; i++) {
                u[i] = (float) streams[rows[i]].nextDouble();
            }
        }
        return u;
    }

    /** The RoPE positions of the next token of each of {@code rows}. */
    long[] positions(int[] rows) {
        long[] pos = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            pos[i] = nextPosition[rows[i]];
        }
        return pos;
    }

    /** Each of {@code rows} was fed one token. */
    void advance(int[] rows) {
        for (int r : rows) {
            nextPosition[r]++;
        }
    }

    /**
     * Appends the picked token and log-prob of each unfinished row of {@code rows} (batch row i is row
     * {@code rows[i]}) and returns the ids to feed next (pad for rows that had already finished).
     */
    long[] record(NDList picked, int[] rows) {
        long[] next = picked.get(0).toLongArray();
        float[] logp = picked.get(1).toFloatArray();
        for (int i = 0; i < next.length; i++) {
            int r = rows[i];
            if (done[r]) {
                next[i] = params.padId();
                continue;
            }
            tokens[r][produced[r]] = next[i];
            logprobs[r][produced[r]] = logp[i];
            produced[r]++;
            done[r] = params.stopIds().contains(next[i]) || produced[r] == limits[r];
        }
        return next;
    }

    /** The completions, in row order; one ending in a stop id finished by STOP, any other by LENGTH. */
    List<Completion> completions() {
        List<Completion> out = new ArrayList<>(done.length);
        for (int r = 0; r < done.length; r++) {
            long[] t = Arrays.copyOf(tokens[r], produced[r]);
            boolean stopped = produced[r] > 0 && params.stopIds().contains(t[produced[r] - 1]);
            out.add(new Completion(
                    t,
                    Arrays.copyOf(logprobs[r], produced[r]),
                    stopped ? Completion.FinishReason.STOP : Completion.FinishReason.LENGTH));
        }
        return out;
    }
}
