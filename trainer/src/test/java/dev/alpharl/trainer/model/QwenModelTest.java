package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QwenModelTest {

    private NDManager m;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /** Qwen2: biases, tied head, d = H/nh. Qwen3: QK-norm, untied, nh·d ≠ H. */
    static QwenConfig tiny(String type) {
        return type.equals("qwen2")
                ? QwenConfig.tiny("qwen2", 32, 64, 2, 4, 2, 8, 50, true)
                : QwenConfig.tiny("qwen3", 32, 48, 2, 4, 2, 16, 50, false);
    }

    private NDArray ids(long[][] rows) {
        int b = rows.length, t = rows[0].length;
        long[] flat = new long[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(rows[i], 0, flat, i * t, t);
        }
        return m.create(flat, new Shape(b, t));
    }

    private NDArray arangePositions(long b, long t, long start) {
        return m.arange(start, start + t, 1, DataType.INT64).reshape(1, t).repeat(0, b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "qwen3"})
    void cachedIncrementalDecodingEqualsFullRecompute(String type) {
        QwenModel model = QwenModel.random(tiny(type), 1, DataType.FLOAT32, m);
        long[] seq = {3, 17, 5, 42, 8, 8, 21, 33, 1, 49};
        int prompt = 4;
        NDArray all = ids(new long[][] {seq});
        NDArray full = model.logits(model.forward(all, arangePositions(1, seq.length, 0), null, null));

        KvCache cache = new KvCache(model.config(), 1, 16, DataType.FLOAT32, m);
        NDArray pre = model.logits(
                model.forward(all.get(new NDIndex(":, :{}", prompt)), arangePositions(1, prompt, 0), null, cache));
        assertThat(maxDiff(pre, full.get(new NDIndex(":, :{}", prompt)))).isLessThan(1e-4f);
        for (int t = prompt; t < seq.length; t++) {
            NDArray one = model.logits(
                    model.forward(all.get(new NDIndex(":, {}:{}", t, t + 1)), arangePositions(1, 1, t), null, cache));
            assertThat(maxDiff(one, full.get(new NDIndex(":, {}:{}", t, t + 1))))
                    .as("step %d", t)
                    .isLessThan(1e-4f);
        }
        assertThat(cache.length()).isEqualTo(seq.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "qwen3"})
    void leftPaddedBatchGivesEachRowItsOwnLogitsAndGreedyTokens(String type) {
        QwenModel model = QwenModel.random(tiny(type), 2, DataType.FLOAT32, m);
        long[] a = {5, 9, 13, 2, 7, 30};
        long[] b = {11, 4, 26};
        int pad = 3;
        // row b left-padded by 3 with an arbitrary id; mask 0 there, positions from the mask's cumsum
        NDArray batch = ids(new long[][] {a, {0, 0, 0, 11, 4, 26}});
        NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1}, new Shape(2, 6));
        NDArray positions = m.create(new long[] {0, 1, 2, 3, 4, 5, 1, 1, 1, 0, 1, 2}, new Shape(2, 6));
        KvCache cache = new KvCache(model.config(), 2, 12, DataType.FLOAT32, m);
        NDArray batched = model.logits(model.forward(batch, positions, mask, cache));

        NDArray alone = model.logits(model.forward(ids(new long[][] {b}), arangePositions(1, 3, 0), null, null));
        assertThat(maxDiff(batched.get(new NDIndex("1, {}:", pad)), alone.get(0)))
                .isLessThan(1e-4f);
        NDArray aloneA = model.logits(model.forward(ids(new long[][] {a}), arangePositions(1, 6, 0), null, null));
        assertThat(maxDiff(batched.get(0), aloneA.get(0))).isLessThan(1e-4f);

        // three greedy steps through the cache, row by row against the unpadded row alone
        long[][] rows = {a.clone(), b.clone()};
        NDArray next = batched.get(new NDIndex(":, -1, :")).argMax(-1);
        NDArray keyMask = mask;
        long[] lastPos = {5, 2};
        for (int step = 0; step < 3; step++) {
            long[] tok = next.toLongArray();
            for (int r = 0; r < 2; r++) {
                long[] grown = java.util.Arrays.copyOf(rows[r], rows[r].length + 1);
                grown[rows[r].length] = tok[r];
                rows[r] = grown;
                lastPos[r]++;
            }
            keyMask = keyMask.concat(m.ones(new Shape(2, 1), DataType.INT64), 1);
            NDArray pos = m.create(lastPos, new Shape(2, 1));
            NDArray logits = model.logits(model.forward(m.create(tok, new Shape(2, 1)), pos, keyMask, cache));
            for (int r = 0; r < 2; r++) {
                NDArray ref = model.logits(model.forward(
                                ids(new long[][] {rows[r]}), arangePositions(1, rows[r].length, 0), null, null))
                        .get(new NDIndex("0, -1, :"));
                assertThat(maxDiff(logits.get(new NDIndex("{}, 0, :", r)), ref))
                        .as("row %d step %d", r, step)
                        .isLessThan(1e-4f);
            }
            next = logits.get(new NDIndex(":, -1, :")).argMax(-1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "qwen3"})
    void gradientsMatchCentralFiniteDifferencesInFp64(String type) {
        QwenConfig config = tiny(type);
        QwenModel model = QwenModel.random(config, 3, DataType.FLOAT64, m);
        model.setTrainable(true);
        NDArray input = ids(new long[][] {{1, 7, 22, 3, 9}, {4, 4, 18, 40, 2}});
        NDArray targets = ids(new long[][] {{7, 22, 3, 9, 11}, {4, 18, 40, 2, 6}});
        NDArray positions = arangePositions(2, 5, 0);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss(model, input, positions, targets));
        }
        SplittableRandom rnd = new SplittableRandom(5);
        double eps = 1e-6;
        List<String> checked = List.of(
                "model.embed_tokens.weight",
                "model.layers.0.self_attn.q_proj.weight",
                "model.layers.0.self_attn.k_proj.weight",
                "model.layers.1.self_attn.v_proj.weight",
                "model.layers.1.self_attn.o_proj.weight",
                "model.layers.0.mlp.gate_proj.weight",
                "model.layers.1.mlp.down_proj.weight",
                "model.layers.0.input_layernorm.weight",
                "model.norm.weight",
                config.isQwen3() ? "model.layers.1.self_attn.k_norm.weight" : "model.layers.1.self_attn.q_proj.bias",
                config.tieWordEmbeddings() ? "model.layers.1.mlp.up_proj.weight" : "lm_head.weight");
        Map<String, double[]> grads = new HashMap<>();
        for (String name : checked) {
            grads.put(name, model.weights().get(name).getGradient().toDoubleArray());
        }
        model.setTrainable(false);
        double worst = 0;
        for (String name : checked) {
            NDArray w = model.weights().get(name);
            double[] flat = w.toDoubleArray();
            for (int probe = 0; probe < 3; probe++) {
                int i = rnd.nextInt(flat.length);
                double orig = flat[i];
                flat[i] = orig + eps;
                w.set(flat);
                double up = loss(model, input, positions, targets).getDouble();
                flat[i] = orig - eps;
                w.set(flat);
                double down = loss(model, input, positions, targets).getDouble();
                flat[i] = orig;
                w.set(flat);
                double numeric = (up - down) / (2 * eps);
                double analytic = grads.get(name)[i];
                double err = Math.abs(numeric - analytic);
                worst = Math.max(worst, err / Math.max(1e-12, Math.abs(numeric) + Math.abs(analytic)));
                // relative 1e-5, with an absolute floor at the finite difference's round-off (≈ 1e-16·|loss|/eps)
                assertThat(err)
                        .as("%s[%d]: numeric %s analytic %s", name, i, numeric, analytic)
                        .isLessThan(1e-5 * (Math.abs(numeric) + Math.abs(analytic)) + 2e-9);
            }
        }
        System.out.printf("%s finite-difference check: worst relative error %.2e%n", type, worst);
    }

    private static NDArray loss(QwenModel model, NDArray input, NDArray positions, NDArray targets) {
        NDArray logits = model.logits(model.forward(input, positions, null, null));
        return logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).mean().neg();
    }

    @Test
    void bf16LinearsStayWithinBf16ToleranceOfFp32() {
        QwenModel model =
                QwenModel.random(QwenConfig.tiny("qwen3", 64, 128, 2, 4, 2, 16, 100, true), 4, DataType.FLOAT32, m);
        NDArray input = ids(new long[][] {{1, 7, 22, 3, 9, 50, 61, 2}});
        NDArray pos = arangePositions(1, 8, 0);
        NDArray fp32 = model.logits(model.forward(input, pos, null, null)).logSoftmax(-1);
        Map<String, NDArray> copy = new java.util.LinkedHashMap<>();
        model.weights().forEach((n, w) -> copy.put(n, w.duplicate()));
        QwenModel bf16Model = QwenModel.of(model.config(), copy, m, QwenModel.Precision.BF16);
        NDArray bf16 =
                bf16Model.logits(bf16Model.forward(input, pos, null, null)).logSoftmax(-1);
        float scale = fp32.abs().max().getFloat();
        float diff = maxDiff(fp32, bf16);
        assertThat(diff).isGreaterThan(0f).isLessThan(0.02f * scale);
        assertThat(fp32.argMax(-1).toLongArray())
                .containsExactly(bf16.argMax(-1).toLongArray());
        // a model derived from a bf16 model (a critic trunk, an AlphaRL candidate) computes in bf16 too
        Map<String, NDArray> again = new java.util.LinkedHashMap<>();
        model.weights().forEach((n, w) -> again.put(n, w.duplicate()));
        try (QwenModel derived = bf16Model.withWeights(again, m)) {
            assertThat(derived.precision()).isEqualTo(QwenModel.Precision.BF16);
            assertThat(maxDiff(
                            derived.logits(derived.forward(input, pos, null, null))
                                    .logSoftmax(-1),
                            bf16))
                    .isZero();
        }
        assertThat(model.precision()).isEqualTo(QwenModel.Precision.FP32);
    }

    @Test
    void activationsBelongToTheCallersManagerAndWeightsStayPut() {
        QwenModel model = QwenModel.random(tiny("qwen2"), 6, DataType.FLOAT32, m);
        int held = model.manager().getManagedArrays().size();
        try (NDManager step = m.newSubManager()) {
            NDArray in = step.create(new long[] {1, 2, 3}, new Shape(1, 3));
            NDArray out = model.logits(
                    model.forward(in, step.arange(0, 3, 1, DataType.INT64).reshape(1, 3), null, null));
            assertThat(out.getManager()).isSameAs(step);
            assertThat(out.getShape()).isEqualTo(new Shape(1, 3, 50));
        }
        assertThat(model.manager().getManagedArrays()).hasSize(held);
    }

    @Test
    void mismatchedWeightShapesNameTheTensor() {
        QwenConfig c = tiny("qwen2");
        Map<String, NDArray> w = new HashMap<>();
        QwenModel.expectedShapes(c).forEach((n, s) -> w.put(n, m.zeros(s)));
        w.put("model.layers.1.self_attn.k_proj.weight", m.zeros(new Shape(8, 32)));
        assertThatThrownBy(() -> QwenModel.of(c, w, m))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(
                        "tensor 'model.layers.1.self_attn.k_proj.weight' has shape (8, 32), expected (16, 32) from config.json");
        w.put("model.layers.1.self_attn.k_proj.weight", m.zeros(new Shape(16, 32)));
        w.remove("model.norm.weight");
        assertThatThrownBy(() -> QwenModel.of(c, w, m)).hasMessageContaining("missing tensor 'model.norm.weight'");
    }

    private static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }
}
