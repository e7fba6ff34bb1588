package dev.alpharl.trainer.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.model.KvCache;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.StepScope;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched generation with a preallocated KV cache (QWEN.md §7). Prompts are left-padded; the attention mask hides
 * pads; RoPE positions count real tokens only (position = number of real tokens before it). A prefill over the
 * prompts, then one token per step for every unfinished row; logits are computed for the last position only. The G
 * samples of a prompt group share one prefill ({@link #generateGroups}); finished rows leave the batch (their KV rows
 * are dropped), so decoding costs what the live rows cost; with a cap on the rows decoded at once
 * ({@code rollout.max-num-seqs}), waiting prompt groups are prefilled and take the freed places (continuous
 * batching). Every row samples from its own generator, split from the caller's in row order, and every row computes
 * the same attention over its own tokens wherever it sits in the batch, so none of this changes what a row
 * generates. This is the local {@link RolloutEngine}.
 */
public final class Generator implements RolloutEngine {

    private final QwenModel model;
    private final boolean compact;
    private final int maxSequences;

    /** All requested sequences decode at once; finished ones leave the batch. */
    public Generator(QwenModel model) {
        this(model, 0);
    }

    /**
     * At most {@code maxSequences} rows decode at once (0: no cap), more wait for freed places; a prompt's G samples
     * are admitted together, so the cap is raised to G when smaller.
     */
    public Generator(QwenModel model, int maxSequences) {
        if (maxSequences < 0) {
            throw new IllegalArgumentException("max-num-seqs must be >= 0 (0 = no cap), got " + maxSequences);
        }
        this.model = model;
        this.compact = true;
        this.maxSequences = maxSequences;
    }

    /**
     * The reference path with {@code compact} false: every row decodes from the start, finished rows stay in the
     * batch (fed pad) until the longest ends.
     */
    Generator(QwenModel model, boolean compact) {
        this.model = model;
        this.compact = compact;
        this.maxSequences = 0;
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
        if (prompts.stream().anyMatch(x -> x.length == 0)) {
            throw new IllegalArgumentException(
                    "an empty prompt cannot be continued: every prompt needs at least one token");
        }
        int unique = prompts.size();
        DecodeRows rows = new DecodeRows(prompts, group, p, limits, rng);
        int cap = !compact || maxSequences == 0 ? rows.count() : Math.max(maxSequences, group);
        int admitted = 0;
        try (StepScope gen = StepScope.open(parent)) {
            NDManager gm = gen.manager();
            DecodeBatch batch = DecodeBatch.EMPTY;
            while (true) {
                int admit = admissible(unique - admitted, batch.running(rows), cap, group);
                if (admit == 0 && batch.running(rows) == 0) {
                    break; // nothing waits (admissible lets a group in whenever nothing runs)
                }
                if (admit > 0 || (compact && batch.worthCompacting(rows))) {
                    DecodeBatch next = regroup(batch, prompts.subList(admitted, admitted + admit), admitted, rows, gm);
                    batch.close();
                    batch = next;
                    admitted += admit;
                }
                if (batch.running(rows) > 0) {
                    batch = step(batch, rows, gm);
                }
            }
            batch.close();
        }
        return rows.completions();
    }

    /**
     * Prompt groups to admit now: as many as fit under the cap once at least an eighth of it (and one group) is
     * free, or whenever nothing is running (each admission copies the cache, so rows are let in in batches).
     */
    private static int admissible(int waiting, int running, int cap, int group) {
        int free = cap - running;
        if (waiting == 0 || free < group || (running > 0 && free < cap / 8)) {
            return 0;
        }
        return Math.min(waiting, free / group);
    }

    /**
     * The next batch: the live rows of {@code batch} (all of them on the reference path) followed by the G rows of
     * each of {@code joining} (prompt indices from {@code first}), prefilled here with their first token sampled. Key
     * slots no live row reads are trimmed and the rows right-aligned (KvCache#combine).
     */
    private DecodeBatch regroup(DecodeBatch batch, List<long[]> joining, int first, DecodeRows rows, NDManager gm) {
        long[] keep = compact ? batch.liveIndices(rows) : batch.allIndices();
        long from = batch.firstReadSlot(keep);
        long keptSpan = batch.width() - from;
        Prefill fresh = joining.isEmpty() ? Prefill.NONE : prefill(joining, first, rows, gm);
        long width = Math.max(keptSpan, fresh.width());
        KvCache cache = KvCache.combine(
                batch.cache(),
                keep,
                from,
                fresh.cache(),
                fresh.source(),
                width,
                rows.params().maxNewTokens(),
                gm);
        fresh.close();
        int n = keep.length + fresh.rows().length;
        long[] mask = new long[Math.toIntExact(n * width)];
        long[] feed = new long[n];
        int[] live = new int[n];
        for (int i = 0; i < keep.length; i++) {
            int from0 = (int) keep[i];
            batch.copyMask(from0, from, mask, i, width);
            feed[i] = batch.feed()[from0];
            live[i] = batch.live()[from0];
        }
        for (int j = 0; j < fresh.rows().length; j++) {
            int i = keep.length + j;
            fresh.copyMask(j, mask, i, width);
            feed[i] = fresh.feed()[j];
            live[i] = fresh.rows()[j];
        }
        return new DecodeBatch(cache, live, mask, feed);
    }

    /** Prefills {@code prompts} (prompt indices from {@code first}) once each and samples each of their rows' first token. */
    private Prefill prefill(List<long[]> prompts, int first, DecodeRows rows, NDManager gm) {
        int unique = prompts.size();
        int group = rows.group();
        int len = prompts.stream().mapToInt(x -> x.length).max().orElseThrow();
        boolean padded = prompts.stream().anyMatch(x -> x.length != len);
        long[] ids = new long[unique * len];
        long[] mask = new long[unique * len];
        long[] positions = new long[unique * len];
        for (int r = 0; r < unique; r++) {
            long[] prompt = prompts.get(r);
            int pad = len - prompt.length;
            for (int t = 0; t < len; t++) {
                int i = r * len + t;
                boolean real = t >= pad;
                ids[i] = real ? prompt[t - pad] : rows.params().padId();
                mask[i] = real ? 1 : 0;
                positions[i] = real ? t - pad : 1; // HF's dummy position for pads
            }
        }
        // row j of the group rows is original row first·G + j; it reads prompt j / G of this prefill
        long[] source = new long[unique * group];
        int[] live = new int[unique * group];
        for (int j = 0; j < source.length; j++) {
            source[j] = j / group;
            live[j] = first * group + j;
        }
        KvCache cache = new KvCache(
                model.config(),
                unique,
                len,
                model.weights().get("model.embed_tokens.weight").getDataType(),
                gm);
        long[] feed;
        try (StepScope step = StepScope.open(gm)) {
            NDManager sm = step.manager();
            NDArray hidden = model.forward(
                    sm.create(ids, new Shape(unique, len)),
                    sm.create(positions, new Shape(unique, len)),
                    padded ? sm.create(mask, new Shape(unique, len)) : null,
                    cache);
            NDArray last = hidden.get(new NDIndex(":, -1, :"));
            if (group > 1) {
                last = last.get(sm.create(source)); // each prompt's state, copied to its G rows
            }
            feed = rows.record(pick(last, rows, live), live);
        }
        return new Prefill(cache, source, live, mask, len, feed);
    }

    /** One decode step of every row of the batch: feeds each row's last token and samples its next. */
    private DecodeBatch step(DecodeBatch batch, DecodeRows rows, NDManager gm) {
        int n = batch.live().length;
        long[] keyMask = batch.grownMask();
        long[] pos = rows.positions(batch.live());
        long[] feed;
        try (StepScope step = StepScope.open(gm)) {
            NDManager sm = step.manager();
            NDArray hidden = model.forward(
                    sm.create(batch.feed(), new Shape(n, 1)),
                    sm.create(pos, new Shape(n, 1)),
                    batch.masked() ? sm.create(keyMask, new Shape(n, keyMask.length / n)) : null,
                    batch.cache());
            feed = rows.record(pick(hidden.get(new NDIndex(":, -1, :")), rows, batch.live()), batch.live());
        }
        rows.advance(batch.live());
        return batch.next(keyMask, feed);
    }

    /** Samples each batch row's next token from its last position's hidden state [B, H]. */
    private NDList pick(NDArray last, DecodeRows rows, int[] live) {
        return TokenSampler.sample(model.logits(last), rows.params(), rows.uniforms(live));
    }

    /** The rows a prefill adds to the batch: their cache (one row per prompt), which prompt row each reads, and so on. */
    private record Prefill(KvCache cache, long[] source, int[] rows, long[] promptMask, int width, long[] feed)
            implements AutoCloseable {

        static final Prefill NONE = new Prefill(null, new long[0], new int[0], new long[0], 0, new long[0]);

        /** Writes batch row j's key mask (its prompt's, right-aligned in {@code width} slots) as row i of {@code out}. */
        void copyMask(int j, long[] out, int i, long width) {
            int prompt = (int) source[j];
            System.arraycopy(promptMask, prompt * this.width, out, (int) (i * width + width - this.width), this.width);
        }

        @Override
        public void close() {
            if (cache != null) {
                cache.close();
            }
        }
    }
}
