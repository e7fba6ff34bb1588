package dev.alpharl.trainer.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.model.KvCache;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.StepScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched generation with a preallocated KV cache (QWEN.md §7). Prompts are left-padded; the attention mask hides
 * pads; RoPE positions count real tokens only (position = number of real tokens before it). One prefill over the
 * prompts, then one token per step for every unfinished row; a finished row is fed the pad id and its output is
 * no longer recorded. Logits are computed for the last position only. The G samples of a prompt group share one
 * prefill ({@link #generateGroups}); finished rows leave the batch (their KV rows are dropped), so decoding costs what
 * the live rows cost; every row samples from its own generator, split from the caller's in row order, so neither
 * changes what a row generates. This is the local {@link RolloutEngine}.
 */
public final class Generator implements RolloutEngine {

    private final QwenModel model;
    private final boolean compact;

    public Generator(QwenModel model) {
        this(model, true);
    }

    /** With {@code compact} false, finished rows stay in the batch (fed pad) until the longest ends: the reference. */
    Generator(QwenModel model, boolean compact) {
        this.model = model;
        this.compact = compact;
    }

    /** Generates one completion per prompt; {@code rng} drives sampling (unused when greedy). */
    @Override
    public List<Completion> generate(List<long[]> prompts, SamplingParams p, SplittableRandom rng, NDManager parent) {
        return decode(prompts, 1, p, null, rng, parent);
    }

    /**
     * G completions per prompt from one prefill per prompt: the prompts are prefilled once, then each prompt's KV
     * rows and last hidden state are copied to its G rows, which decode as if each had been prefilled (each row has
     * its own generator, so the same completions for the same seed).
     */
    @Override
    public List<Completion> generateGroups(
            List<long[]> prompts, int samplesPerPrompt, SamplingParams p, SplittableRandom rng, NDManager parent) {
        return decode(prompts, samplesPerPrompt, p, null, rng, parent);
    }

    /**
     * {@link #generateGroups} with a max-new-tokens per row: row r (prompt-major) ends after at most
     * {@code maxNewTokens[r]} tokens (finish reason LENGTH when its limit ends it), and every limit is at most the
     * params' max-new-tokens. A row samples from its own generator, so its tokens are the first ones of the
     * completion it would have without the limit. The RL-step bench forces its completion lengths with this.
     */
    public List<Completion> generateGroups(
            List<long[]> prompts,
            int samplesPerPrompt,
            SamplingParams p,
            int[] maxNewTokens,
            SplittableRandom rng,
            NDManager parent) {
        if (maxNewTokens.length != prompts.size() * samplesPerPrompt) {
            throw new IllegalArgumentException(
                    "need one limit per row (" + prompts.size() * samplesPerPrompt + "), got " + maxNewTokens.length);
        }
        for (int limit : maxNewTokens) {
            if (limit < 1 || limit > p.maxNewTokens()) {
                throw new IllegalArgumentException(
                        "a row's max-new-tokens must be in [1, " + p.maxNewTokens() + "], got " + limit);
            }
        }
        return decode(prompts, samplesPerPrompt, p, maxNewTokens.clone(), rng, parent);
    }

    /** {@code limits}: each row's max-new-tokens, or null for the params' on every row. */
    private List<Completion> decode(
            List<long[]> prompts, int group, SamplingParams p, int[] limits, SplittableRandom rng, NDManager parent) {
        int unique = prompts.size();
        int b = unique * group;
        if (limits == null) {
            limits = new int[b];
            Arrays.fill(limits, p.maxNewTokens());
        }
        int promptLen = prompts.stream().mapToInt(x -> x.length).max().orElseThrow();
        if (prompts.stream().anyMatch(x -> x.length == 0)) {
            throw new IllegalArgumentException(
                    "an empty prompt cannot be continued: every prompt needs at least one token");
        }
        boolean padded = prompts.stream().anyMatch(x -> x.length != promptLen);
        long[] ids = new long[unique * promptLen];
        long[] mask = new long[unique * promptLen];
        long[] positions = new long[unique * promptLen];
        for (int r = 0; r < unique; r++) {
            long[] prompt = prompts.get(r);
            int pad = promptLen - prompt.length;
            for (int t = 0; t < promptLen; t++) {
                int i = r * promptLen + t;
                boolean real = t >= pad;
                ids[i] = real ? prompt[t - pad] : p.padId();
                mask[i] = real ? 1 : 0;
                positions[i] = real ? t - pad : 1; // HF's dummy position for pads
            }
        }
        long[] nextPosition = new long[b];
        for (int r = 0; r < b; r++) {
            nextPosition[r] = prompts.get(r / group).length;
        }
        long[][] out = new long[b][p.maxNewTokens()];
        float[][] outLogp = new float[b][p.maxNewTokens()];
        int[] produced = new int[b];
        boolean[] done = new boolean[b];
        // one generator per row, split in row order: a row's draws do not depend on which rows are still in the batch
        SplittableRandom[] streams = new SplittableRandom[b];
        for (int r = 0; r < b; r++) {
            streams[r] = rng.split();
        }
        int[] live = new int[b]; // the original row of each row of the batch
        for (int r = 0; r < b; r++) {
            live[r] = r;
        }
        try (StepScope gen = StepScope.open(parent)) {
            NDManager gm = gen.manager();
            KvCache cache = new KvCache(
                    model.config(),
                    unique,
                    promptLen + p.maxNewTokens(),
                    model.weights().get("model.embed_tokens.weight").getDataType(),
                    gm);
            long[] keyMask = repeatRows(mask, unique, group);
            long[] feed;
            try (StepScope step = StepScope.open(gm)) {
                NDManager sm = step.manager();
                NDArray hidden = model.forward(
                        sm.create(ids, new Shape(unique, promptLen)),
                        sm.create(positions, new Shape(unique, promptLen)),
                        padded ? sm.create(mask, new Shape(unique, promptLen)) : null,
                        cache);
                NDArray last = hidden.get(new NDIndex(":, -1, :"));
                if (group > 1) {
                    // each prompt's state, copied to its G rows: prompt-major, as the plain path lays them out
                    long[] source = new long[b];
                    for (int r = 0; r < b; r++) {
                        source[r] = r / group;
                    }
                    last = last.get(sm.create(source));
                    KvCache shared = cache;
                    cache = shared.selectRows(source, gm);
                    shared.close();
                }
                feed = record(pick(last, p, uniforms(streams, live, p)), live, p, limits, out, outLogp, produced, done);
            }
            for (int t = 1; t < p.maxNewTokens() && !allDone(done); t++) {
                if (compact && worthCompacting(live, done)) {
                    // finished rows leave the batch: decode cost follows the live rows
                    long[] keep = liveIndices(live, done);
                    int width = keyMask.length / live.length;
                    KvCache before = cache;
                    cache = before.selectRows(keep, gm);
                    before.close();
                    long[] mask2 = new long[keep.length * width];
                    long[] feed2 = new long[keep.length];
                    int[] live2 = new int[keep.length];
                    for (int i = 0; i < keep.length; i++) {
                        int from = (int) keep[i];
                        System.arraycopy(keyMask, from * width, mask2, i * width, width);
                        feed2[i] = feed[from];
                        live2[i] = live[from];
                    }
                    keyMask = mask2;
                    feed = feed2;
                    live = live2;
                }
                int rows = live.length;
                keyMask = grow(keyMask, rows);
                long[] pos = new long[rows];
                for (int i = 0; i < rows; i++) {
                    pos[i] = nextPosition[live[i]];
                }
                try (StepScope step = StepScope.open(gm)) {
                    NDManager sm = step.manager();
                    NDArray hidden = model.forward(
                            sm.create(feed, new Shape(rows, 1)),
                            sm.create(pos, new Shape(rows, 1)),
                            padded ? sm.create(keyMask, new Shape(rows, keyMask.length / rows)) : null,
                            cache);
                    feed = record(
                            pick(hidden.get(new NDIndex(":, -1, :")), p, uniforms(streams, live, p)),
                            live,
                            p,
                            limits,
                            out,
                            outLogp,
                            produced,
                            done);
                }
                for (int r = 0; r < b; r++) {
                    nextPosition[r]++;
                }
            }
        }
        List<Completion> result = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            long[] tokens = Arrays.copyOf(out[r], produced[r]);
            boolean stopped = produced[r] > 0 && p.stopIds().contains(tokens[produced[r] - 1]);
            result.add(new Completion(
                    tokens,
                    Arrays.copyOf(outLogp[r], produced[r]),
                    stopped ? Completion.FinishReason.STOP : Completion.FinishReason.LENGTH));
        }
        return result;
    }

    /** Each row of a row-major [rows, width] array repeated {@code times} times in place (prompt-major). */
    private static long[] repeatRows(long[] a, int rows, int times) {
        if (times == 1) {
            return a;
        }
        int width = a.length / rows;
        long[] out = new long[a.length * times];
        for (int r = 0; r < rows * times; r++) {
            System.arraycopy(a, (r / times) * width, out, r * width, width);
        }
        return out;
    }

    /** Samples each row's next token from its last position's hidden state [B, H]. */
    private NDList pick(NDArray last, SamplingParams p, float[] uniforms) {
        return TokenSampler.sample(model.logits(last), p, uniforms);
    }

    /**
     * Appends each unfinished row's token (batch row i is original row {@code live[i]}) and returns the ids to feed
     * next (pad for finished rows). A row finishes on a stop id or at its limit.
     */
    private static long[] record(
            NDList picked,
            int[] live,
            SamplingParams p,
            int[] limits,
            long[][] out,
            float[][] outLogp,
            int[] produced,
            boolean[] done) {
        long[] tokens = picked.get(0).toLongArray();
        float[] logp = picked.get(1).toFloatArray();
        for (int i = 0; i < tokens.length; i++) {
            int r = live[i];
            if (done[r]) {
                tokens[i] = p.padId();
                continue;
            }
            out[r][produced[r]] = tokens[i];
            outLogp[r][produced[r]] = logp[i];
            produced[r]++;
            done[r] = p.stopIds().contains(tokens[i]) || produced[r] == limits[r];
        }
        return tokens;
    }

    /** One uniform per batch row from that row's own generator (none drawn when greedy). */
    private static float[] uniforms(SplittableRandom[] streams, int[] live, SamplingParams p) {
        float[] u = new float[live.length];
        if (!p.greedy()) {
            for (int i = 0; i < live.length; i++) {
                u[i] = (float) streams[live[i]].nextDouble();
            }
        }
        return u;
    }

    /** Compacting copies the cache: do it once an eighth of the batch (at least one row) has finished. */
    private static boolean worthCompacting(int[] live, boolean[] done) {
        int finished = 0;
        for (int r : live) {
            finished += done[r] ? 1 : 0;
        }
        return finished > 0 && finished >= Math.max(1, live.length / 8);
    }

    private static long[] liveIndices(int[] live, boolean[] done) {
        return java.util.stream.IntStream.range(0, live.length)
                .filter(i -> !done[live[i]])
                .mapToLong(i -> i)
                .toArray();
    }

    /** The key mask with one more real column per row (a fed pad counts as real, as in HF; it is never read). */
    private static long[] grow(long[] mask, int b) {
        int s = mask.length / b;
        long[] grown = new long[b * (s + 1)];
        for (int r = 0; r < b; r++) {
            System.arraycopy(mask, r * s, grown, r * (s + 1), s);
            grown[r * (s + 1) + s] = 1;
        }
        return grown;
    }

    private static boolean allDone(boolean[] done) {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }
}
