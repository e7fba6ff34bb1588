package dev.alpharl.trainer.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    private NDManager m;
    private QwenModel model;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
        // larger init than HF's 0.02 so that greedy continuations vary from token to token
        model = QwenModel.random(QwenConfig.tiny("qwen3", 32, 64, 2, 4, 2, 8, 40, true), 11, DataType.FLOAT32, m);
        model.weights().values().forEach(w -> {
            if (w.getShape().dimension() == 2) {
                w.muli(15f);
            }
        });
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /** Greedy continuation by full recompute (no cache, no padding): the reference. */
    private long[] greedyByRecompute(long[] prompt, int n, float[] logpOut) {
        long[] seq = prompt.clone();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            NDArray ids = m.create(seq, new Shape(1, seq.length));
            NDArray pos = m.arange(0, seq.length, 1, DataType.INT64).reshape(1, seq.length);
            NDArray logits = model.logits(model.forward(ids, pos, null, null)).get(new NDIndex("0, -1, :"));
            out[i] = logits.argMax().getLong();
            logpOut[i] = logits.logSoftmax(-1).getFloat(out[i]);
            seq = java.util.Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = out[i];
        }
        return out;
    }

    @Test
    void batchedGreedyWithPaddingAndCacheEqualsRecomputeRowByRow() {
        List<long[]> prompts = List.of(new long[] {5, 9, 13, 2, 7}, new long[] {11, 4}, new long[] {30, 1, 17});
        int n = 6;
        SamplingParams greedy = new SamplingParams(n, 0, 1, 0, Set.of(), 0);
        List<Completion> got = new Generator(model).generate(prompts, greedy, new SplittableRandom(0), m);
        for (int r = 0; r < prompts.size(); r++) {
            float[] logp = new float[n];
            long[] ref = greedyByRecompute(prompts.get(r), n, logp);
            assertThat(got.get(r).tokens()).as("row %d", r).containsExactly(ref);
            assertThat(got.get(r).logprobs()).containsExactly(logp, within(1e-4f));
            assertThat(got.get(r).finish()).isEqualTo(Completion.FinishReason.LENGTH);
        }
        assertThat(got.stream().map(c -> java.util.Arrays.toString(c.tokens())).distinct())
                .hasSizeGreaterThan(1);
    }

    @Test
    void aRowStopsAtAStopIdAndKeepsIt() {
        long[] prompt = {5, 9, 13};
        float[] logp = new float[5];
        long[] ref = greedyByRecompute(prompt, 5, logp);
        long stop = ref[2];
        int firstAt = 0;
        while (ref[firstAt] != stop) {
            firstAt++;
        }
        SamplingParams p = new SamplingParams(5, 0, 1, 0, Set.of(stop), 0);
        List<Completion> got =
                new Generator(model).generate(List.of(prompt, new long[] {7, 7}), p, new SplittableRandom(0), m);
        assertThat(got.get(0).tokens()).containsExactly(java.util.Arrays.copyOf(ref, firstAt + 1));
        assertThat(got.get(0).finish()).isEqualTo(Completion.FinishReason.STOP);
    }

    @Test
    void samplingIsReproducibleBySeed() {
        List<long[]> prompts = List.of(new long[] {5, 9}, new long[] {11, 4, 2});
        SamplingParams p = new SamplingParams(8, 1.0, 0.95, 20, Set.of(), 0);
        Generator g = new Generator(model);
        List<Completion> a = g.generate(prompts, p, new SplittableRandom(42), m);
        List<Completion> b = g.generate(prompts, p, new SplittableRandom(42), m);
        List<Completion> c = g.generate(prompts, p, new SplittableRandom(43), m);
        for (int r = 0; r < 2; r++) {
            assertThat(a.get(r).tokens()).containsExactly(b.get(r).tokens());
        }
        assertThat(java.util.Arrays.equals(a.get(0).tokens(), c.get(0).tokens())
                        && java.util.Arrays.equals(a.get(1).tokens(), c.get(1).tokens()))
                .isFalse();
    }

    @Test
    void generationLeavesNothingOnTheCallersManager() {
        int before = m.getManagedArrays().size();
        new Generator(model)
                .generate(
                        List.of(new long[] {1, 2}),
                        new SamplingParams(4, 0.7, 1, 0, Set.of(), 0),
                        new SplittableRandom(1),
                        m);
        assertThat(m.getManagedArrays()).hasSize(before);
    }

    /**
     * Shared prefill and compaction: G samples per prompt from one prefill each, with finished rows leaving the
     * batch, give for the same seed the completions of the plain path that prefills every row and feeds finished
     * rows pad until the longest ends (token for token; log-probs within 1e-5), with padding, stop tokens and rows
     * finishing early, sampled at temperature 1 and greedy.
     */
    @Test
    void sharedPrefillGivesThePlainPathsCompletions() {
        List<long[]> prompts = List.of(new long[] {5, 9, 13, 2, 7}, new long[] {11, 4}, new long[] {30, 1, 17});
        int g = 4;
        List<long[]> rows = new java.util.ArrayList<>();
        for (long[] prompt : prompts) {
            for (int i = 0; i < g; i++) {
                rows.add(prompt);
            }
        }
        for (SamplingParams params : List.of(
                new SamplingParams(7, 1.0, 1.0, 0, Set.of(3L, 8L), 0), new SamplingParams(5, 0, 1, 0, Set.of(), 0))) {
            List<Completion> shared =
                    new Generator(model).generateGroups(prompts, g, params, new SplittableRandom(42), m);
            List<Completion> plain = new Generator(model, false).generate(rows, params, new SplittableRandom(42), m);
            assertThat(shared).hasSize(rows.size());
            for (int r = 0; r < rows.size(); r++) {
                assertThat(shared.get(r).tokens())
                        .as("row %d", r)
                        .containsExactly(plain.get(r).tokens());
                assertThat(shared.get(r).logprobs())
                        .as("row %d", r)
                        .containsExactly(plain.get(r).logprobs(), within(1e-5f));
                assertThat(shared.get(r).finish()).isEqualTo(plain.get(r).finish());
            }
            if (params.temperature() > 0) {
                // sampling really varies within a group, and some rows stop early
                assertThat(shared.stream()
                                .map(c -> java.util.Arrays.toString(c.tokens()))
                                .distinct()
                                .count())
                        .isGreaterThan(prompts.size());
                // rows stop well before the longest ends, so the batch was compacted while others went on
                assertThat(shared)
                        .anyMatch(c -> c.finish() == Completion.FinishReason.STOP
                                && c.tokens().length < params.maxNewTokens() - 1);
            }
        }
    }

    /**
     * Continuous batching: with at most a few rows decoding at once, waiting prompt groups are prefilled into the places
     * finished rows free (their slots right-aligned beside rows that have decoded for a while, slots no live row reads
     * trimmed), and every row's completion is still the plain path's for the same seed (token for token, log-probs
     * within 1e-5) — for groups of 3 under a cap of 4 (one group at a time) and of 7, and for single rows under a cap of 2.
     */
    @Test
    void continuousBatchingGivesThePlainPathsCompletions() {
        List<long[]> prompts = List.of(
                new long[] {5, 9, 13, 2, 7},
                new long[] {11, 4},
                new long[] {30, 1, 17},
                new long[] {6},
                new long[] {12, 19, 21, 22, 23, 24, 25},
                new long[] {9, 9, 9});
        SamplingParams params = new SamplingParams(9, 1.0, 1.0, 0, Set.of(3L, 8L, 14L), 0);
        for (int[] groupAndCap : new int[][] {{3, 4}, {3, 7}, {1, 2}}) {
            int g = groupAndCap[0];
            List<long[]> rows = new java.util.ArrayList<>();
            for (long[] prompt : prompts) {
                for (int i = 0; i < g; i++) {
                    rows.add(prompt);
                }
            }
            List<Completion> capped =
                    new Generator(model, groupAndCap[1]).generateGroups(prompts, g, params, new SplittableRandom(7), m);
            List<Completion> plain = new Generator(model, false).generate(rows, params, new SplittableRandom(7), m);
            assertThat(capped).hasSize(rows.size());
            for (int r = 0; r < rows.size(); r++) {
                assertThat(capped.get(r).tokens())
                        .as("G=%d cap=%d row %d", g, groupAndCap[1], r)
                        .containsExactly(plain.get(r).tokens());
                assertThat(capped.get(r).logprobs())
                        .as("G=%d cap=%d row %d", g, groupAndCap[1], r)
                        .containsExactly(plain.get(r).logprobs(), within(1e-5f));
                assertThat(capped.get(r).finish()).isEqualTo(plain.get(r).finish());
            }
            // rows of different lengths: some stop early, so later groups really joined a running batch
            assertThat(capped.stream()
                            .mapToInt(c -> c.tokens().length)
                            .distinct()
                            .count())
                    .isGreaterThan(2);
        }
    }

    /**
     * A max-new-tokens per row cuts each row's completion to the first {@code limit} tokens of what it samples without
     * limits (same seed: each row has its own generator), or to its stop token if that comes first; the rows that
     * finish early leave the batch while the others go on.
     */
    @Test
    void perRowLimitsCutEachRowsOwnCompletion() {
        List<long[]> prompts = List.of(new long[] {5, 9, 13, 2, 7}, new long[] {11, 4});
        int g = 3;
        int[] limits = {1, 7, 3, 6, 2, 5};
        for (SamplingParams params : List.of(
                new SamplingParams(7, 1.0, 1.0, 0, Set.of(), 0),
                new SamplingParams(7, 1.0, 1.0, 0, Set.of(3L, 8L), 0))) {
            List<Completion> free = new Generator(model).generateGroups(prompts, g, params, new SplittableRandom(7), m);
            List<Completion> cut =
                    new Generator(model).generateGroups(prompts, g, params, limits, new SplittableRandom(7), m);
            for (int r = 0; r < limits.length; r++) {
                Completion f = free.get(r);
                int expected = Math.min(limits[r], f.tokens().length);
                assertThat(cut.get(r).tokens())
                        .as("row %d", r)
                        .containsExactly(java.util.Arrays.copyOf(f.tokens(), expected));
                assertThat(cut.get(r).logprobs())
                        .containsExactly(java.util.Arrays.copyOf(f.logprobs(), expected), within(1e-5f));
                boolean stopped = f.finish() == Completion.FinishReason.STOP && f.tokens().length <= limits[r];
                assertThat(cut.get(r).finish())
                        .isEqualTo(stopped ? Completion.FinishReason.STOP : Completion.FinishReason.LENGTH);
            }
            if (params.stopIds().isEmpty()) {
                assertThat(cut.stream().mapToInt(c -> c.tokens().length).toArray())
                        .containsExactly(limits);
            }
        }
        SamplingParams p = new SamplingParams(7, 1.0, 1.0, 0, Set.of(), 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Generator(model)
                        .generateGroups(prompts, g, p, new int[] {1, 2}, new SplittableRandom(7), m))
                .hasMessageContaining("one limit per row");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Generator(model)
                        .generateGroups(prompts, g, p, new int[] {1, 2, 3, 4, 5, 8}, new SplittableRandom(7), m))
                .hasMessageContaining("in [1, 7]");
    }
}
