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
 * no longer recorded. Logits are computed for the last position only. This is the local {@link RolloutEngine}.
 */
public final class Generator implements RolloutEngine {

    private final QwenModel model;

    public Generator(QwenModel model) {
        this.model = model;
    }

    /** Generates one completion per prompt; {@code rng} drives sampling (unused when greedy). */
    @Override
    public List<Completion> generate(List<long[]> prompts, SamplingParams p, SplittableRandom rng, NDManager parent) {
        int b = prompts.size();
        int promptLen = prompts.stream().mapToInt(x -> x.length).max().orElseThrow();
        if (prompts.stream().anyMatch(x -> x.length == 0)) {
            throw new IllegalArgumentException(
                    "an empty prompt cannot be continued: every prompt needs at least one token");
        }
        boolean padded = prompts.stream().anyMatch(x -> x.length != promptLen);
        long[] ids = new long[b * promptLen];
        long[] mask = new long[b * promptLen];
        long[] positions = new long[b * promptLen];
        long[] nextPosition = new long[b];
        for (int r = 0; r < b; r++) {
            long[] prompt = prompts.get(r);
            int pad = promptLen - prompt.length;
            for (int t = 0; t < promptLen; t++) {
                int i = r * promptLen + t;
                boolean real = t >= pad;
                ids[i] = real ? prompt[t - pad] : p.padId();
                mask[i] = real ? 1 : 0;
                positions[i] = real ? t - pad : 1; // HF's dummy position for pads
            }
            nextPosition[r] = prompt.length;
        }
        long[][] out = new long[b][p.maxNewTokens()];
        float[][] outLogp = new float[b][p.maxNewTokens()];
        int[] produced = new int[b];
        boolean[] done = new boolean[b];
        try (StepScope gen = StepScope.open(parent)) {
            NDManager gm = gen.manager();
            KvCache cache = new KvCache(
                    model.config(),
                    b,
                    promptLen + p.maxNewTokens(),
                    model.weights().get("model.embed_tokens.weight").getDataType(),
                    gm);
            long[] keyMask = mask;
            long[] feed;
            NDList picked;
            try (StepScope step = StepScope.open(gm)) {
                NDManager sm = step.manager();
                NDArray hidden = model.forward(
                        sm.create(ids, new Shape(b, promptLen)),
                        sm.create(positions, new Shape(b, promptLen)),
                        padded ? sm.create(mask, new Shape(b, promptLen)) : null,
                        cache);
                picked = pick(hidden, p, rng);
                feed = record(picked, p, out, outLogp, produced, done);
            }
            for (int t = 1; t < p.maxNewTokens() && !allDone(done); t++) {
                keyMask = grow(keyMask, b);
                try (StepScope step = StepScope.open(gm)) {
                    NDManager sm = step.manager();
                    NDArray hidden = model.forward(
                            sm.create(feed, new Shape(b, 1)),
                            sm.create(nextPosition.clone(), new Shape(b, 1)),
                            padded ? sm.create(keyMask, new Shape(b, keyMask.length / b)) : null,
                            cache);
                    picked = pick(hidden, p, rng);
                    feed = record(picked, p, out, outLogp, produced, done);
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

    /** Samples from the logits of each row's last position. */
    private NDList pick(NDArray hidden, SamplingParams p, SplittableRandom rng) {
        NDArray last = hidden.get(new NDIndex(":, -1, :"));
        return TokenSampler.sample(model.logits(last), p, rng);
    }

    /** Appends each unfinished row's token and returns the ids to feed next (pad for finished rows). */
    private static long[] record(
            NDList picked, SamplingParams p, long[][] out, float[][] outLogp, int[] produced, boolean[] done) {
        long[] tokens = picked.get(0).toLongArray();
        float[] logp = picked.get(1).toFloatArray();
        for (int r = 0; r < tokens.length; r++) {
            if (done[r]) {
                tokens[r] = p.padId();
                continue;
            }
            out[r][produced[r]] = tokens[r];
            outLogp[r][produced[r]] = logp[r];
            produced[r]++;
            done[r] = p.stopIds().contains(tokens[r]);
        }
        return tokens;
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
