package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LogProbScorerTest {

    private NDManager m;
    private QwenModel model;
    private final SequenceBatch batch = new SequenceBatch(
            List.of(new long[] {3, 8, 1}, new long[] {5}, new long[] {9, 9, 2, 7}, new long[] {4, 4}),
            List.of(new long[] {12, 30, 2, 1}, new long[] {7, 7}, new long[] {}, new long[] {44, 3, 19, 28, 6}),
            0);

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
        model = QwenModel.random(QwenModelTest.tiny("qwen2"), 21, DataType.FLOAT32, m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /** log softmax(logits/τ) of one unpadded row, by a plain full forward. */
    private float[][] reference(int b, double temperature) {
        long[] p = batch.prompts().get(b), c = batch.completions().get(b);
        long[] seq = new long[p.length + c.length];
        System.arraycopy(p, 0, seq, 0, p.length);
        System.arraycopy(c, 0, seq, p.length, c.length);
        NDArray logits = model.logits(model.forward(
                        m.create(seq, new Shape(1, seq.length)),
                        m.arange(0, seq.length, 1, DataType.INT64).reshape(1, seq.length),
                        null,
                        null))
                .get(0)
                .div((float) temperature);
        NDArray lsm = logits.logSoftmax(-1);
        float[] logp = new float[c.length], ent = new float[c.length];
        for (int j = 0; j < c.length; j++) {
            NDArray row = lsm.get(p.length + j - 1);
            logp[j] = row.getFloat(c[j]);
            ent[j] = -row.exp().mul(row).sum().getFloat();
        }
        return new float[][] {logp, ent};
    }

    @Test
    void scoresEqualPerRowFullForwardAtCompletionTokens() {
        for (double temperature : new double[] {1.0, 0.7}) {
            // a budget of 2 rows' worth of tokens forces several chunks
            LogProbScorer scorer = new LogProbScorer(model, 5L * model.config().vocabSize());
            assertThat(scorer.chunks(batch)).hasSizeGreaterThan(1);
            LogProbScorer.Scores s = scorer.score(batch, temperature, true, m);
            assertThat(s.logp().getShape()).isEqualTo(new Shape(4, 5));
            for (int b = 0; b < 4; b++) {
                float[][] ref = reference(b, temperature);
                float[] got = s.logp().get(b).toFloatArray();
                float[] ent = s.entropy().get(b).toFloatArray();
                for (int j = 0; j < 5; j++) {
                    float expectLogp = j < ref[0].length ? ref[0][j] : 0f;
                    float expectEnt = j < ref[1].length ? ref[1][j] : 0f;
                    assertThat(got[j])
                            .as("logp[%d][%d] at T=%s", b, j, temperature)
                            .isCloseTo(expectLogp, org.assertj.core.api.Assertions.within(1e-5f));
                    assertThat(ent[j]).isCloseTo(expectEnt, org.assertj.core.api.Assertions.within(1e-5f));
                }
            }
        }
    }

    @Test
    void chunkedBackwardEqualsOneBackwardOfTheWholeLoss() {
        NDArray weights = m.create(
                new float[] {
                    1f, -2f, 0.5f, 3f, 1f, 0.25f, -1f, 2f, 1f, 1.5f, 2f, 0.5f, -0.5f, 1f, 0.75f, 1f, -1f, 0.3f, 0.6f,
                    0.9f
                },
                new Shape(4, 5));
        NDArray mask = batch.completionMask(m);
        // loss = Σ_bj w_bj·logp_bj·mask_bj + 0.1·Σ_bj H_bj·mask_bj ; per chunk the rows' share of it
        LogProbScorer.ChunkLoss chunkLoss = (from, to, s) -> {
            NDArray w = weights.get(new NDIndex("{}:{}", from, to));
            NDArray mk = mask.get(new NDIndex("{}:{}", from, to));
            return s.logp().mul(w).mul(mk).sum().add(s.entropy().mul(mk).sum().mul(0.1f));
        };
        List<String> names = List.of(
                "model.embed_tokens.weight",
                "model.layers.0.self_attn.q_proj.weight",
                "model.layers.1.self_attn.v_proj.bias",
                "model.layers.1.mlp.down_proj.weight",
                "model.norm.weight");
        model.setTrainable(true);

        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            LogProbScorer.Scores s = new LogProbScorer(model).score(batch, 0.9, true, m);
            gc.backward(chunkLoss.apply(0, 4, s));
        }
        Map<String, float[]> whole = new HashMap<>();
        names.forEach(n -> whole.put(n, model.weights().get(n).getGradient().toFloatArray()));
        model.weights().values().forEach(w -> w.getGradient().muli(0f));

        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            new LogProbScorer(model, 5L * model.config().vocabSize())
                    .backward(batch, 0.9, LogProbScorer.Entropy.DIFFERENTIABLE, chunkLoss, gc, m);
        }
        for (String n : names) {
            float[] chunked = model.weights().get(n).getGradient().toFloatArray();
            float scale = 0;
            for (float g : whole.get(n)) {
                scale = Math.max(scale, Math.abs(g));
            }
            assertThat(scale).as(n).isGreaterThan(0f);
            for (int i = 0; i < chunked.length; i++) {
                assertThat(chunked[i])
                        .as("%s[%d]", n, i)
                        .isCloseTo(whole.get(n)[i], org.assertj.core.api.Assertions.within(1e-5f * scale));
            }
        }
    }

    /**
     * Metrics-only entropies: the same values as differentiable ones and no effect on the gradient; and no array
     * with the vocabulary axis outlives its chunk (each chunk's logits, log-softmax and entropy terms are freed
     * before the next chunk's are made), whether the entropy is detached or not.
     */
    @Test
    void detachedEntropiesMatchAndNoVocabularySizedArrayOutlivesItsChunk() {
        long v = model.config().vocabSize();
        NDArray mask = batch.completionMask(m);
        model.setTrainable(true);
        LogProbScorer chunked = new LogProbScorer(model, 2L * v); // 4 chunks
        Map<LogProbScorer.Entropy, float[]> entropies = new HashMap<>();
        Map<LogProbScorer.Entropy, float[]> grads = new HashMap<>();
        for (LogProbScorer.Entropy e : List.of(LogProbScorer.Entropy.DETACHED, LogProbScorer.Entropy.DIFFERENTIABLE)) {
            try (NDManager step = m.newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                LogProbScorer.Scores s = chunked.backward(
                        batch,
                        1.0,
                        e,
                        (from, to, sc) -> sc.logp()
                                .mul(mask.get(new NDIndex("{}:{}", from, to)))
                                .sum()
                                .neg(),
                        gc,
                        step);
                entropies.put(e, s.entropy().toFloatArray());
                assertThat(step.getManagedArrays())
                        .as("arrays left on the step's manager by a %s backward", e)
                        .noneMatch(x -> x.getShape().dimension() > 0
                                && x.getShape().get(x.getShape().dimension() - 1) == v);
            }
            NDArray g = model.weights().get("model.layers.0.mlp.up_proj.weight").getGradient();
            grads.put(e, g.toFloatArray());
            model.weights().values().forEach(w -> w.getGradient().muli(0f));
        }
        assertThat(entropies.get(LogProbScorer.Entropy.DETACHED))
                .containsExactly(entropies.get(LogProbScorer.Entropy.DIFFERENTIABLE), within(1e-6f));
        assertThat(grads.get(LogProbScorer.Entropy.DETACHED))
                .containsExactly(grads.get(LogProbScorer.Entropy.DIFFERENTIABLE), within(1e-7f));
        assertThat(entropies.get(LogProbScorer.Entropy.DETACHED)[0]).isGreaterThan(0f);
    }

    @Test
    void chunksKeepWholeRowsWithinTheBudget() {
        long v = model.config().vocabSize();
        assertThat(new LogProbScorer(model, 9 * v).chunks(batch)).containsExactly(new int[] {0, 3}, new int[] {3, 4});
        assertThat(new LogProbScorer(model, 1).chunks(batch))
                .containsExactly(new int[] {0, 1}, new int[] {1, 2}, new int[] {2, 3}, new int[] {3, 4});
        assertThat(new LogProbScorer(model).chunks(batch)).containsExactly(new int[] {0, 4});
    }
}
