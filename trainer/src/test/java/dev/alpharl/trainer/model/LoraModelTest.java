package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The forward of a model with LoRA adapters: equal to its base while B = 0, equal to the merged weights
 * W + s·B·A (computed here in double precision, independently of the model) once B moves, and the base view without
 * adapters shares the base's arrays.
 */
class LoraModelTest {

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

    private static final long[] SEQ = {3, 17, 5, 42, 8, 8, 21, 33, 1, 49};

    private NDArray logits(QwenModel model) {
        NDArray ids = m.create(SEQ, new Shape(1, SEQ.length));
        NDArray positions = m.arange(0, SEQ.length, 1, DataType.INT64).reshape(1, SEQ.length);
        return model.logits(model.forward(ids, positions, null, null));
    }

    /** A random model with adapters over {@code spec}; B filled with N(0, 0.05²) when {@code moveB}. */
    private QwenModel adapted(QwenConfig config, LoraSpec spec, boolean moveB, QwenModel.Precision precision) {
        QwenModel base = QwenModel.random(config, 7, DataType.FLOAT32, m);
        LoraAdapters adapters = LoraAdapters.initialise(spec, config, 99, DataType.FLOAT32, m);
        if (moveB) {
            SplittableRandom rnd = new SplittableRandom(5);
            for (Map.Entry<String, NDArray> e : adapters.tensors().entrySet()) {
                if (e.getKey().endsWith("lora_B.weight")) {
                    float[] v = new float[(int) e.getValue().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (0.05 * rnd.nextGaussian());
                    }
                    e.getValue().set(m.create(v).toByteBuffer());
                }
            }
        }
        Map<String, NDArray> weights = new LinkedHashMap<>(base.weights());
        QwenModel model = QwenModel.of(config, weights, m, precision, adapters);
        base.close(); // its arrays moved to the adapted model
        return model;
    }

    /** W + s·B·A for every adapted module, in double precision from the arrays' values. */
    private QwenModel merged(QwenModel model) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        LoraAdapters adapters = model.adapters();
        for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
            String module = e.getKey().replaceAll("\\.weight$", "");
            float[] w = e.getValue().toFloatArray();
            if (e.getKey().endsWith(".weight") && adapters.adapts(module)) {
                LoraSpec.Module mod = adapters.modules().get(module);
                float[] a = adapters.tensors().get(LoraAdapters.nameOfA(module)).toFloatArray();
                float[] b = adapters.tensors().get(LoraAdapters.nameOfB(module)).toFloatArray();
                int out0 = (int) mod.out(), in = (int) mod.in(), r = mod.rank();
                for (int o = 0; o < out0; o++) {
                    for (int i = 0; i < in; i++) {
                        double sum = 0;
                        for (int k = 0; k < r; k++) {
                            sum += (double) b[o * r + k] * a[k * in + i];
                        }
                        w[o * in + i] = (float) (w[o * in + i] + mod.scaling() * sum);
                    }
                }
            }
            out.put(e.getKey(), m.create(w, e.getValue().getShape()));
        }
        return QwenModel.of(model.config(), out, m);
    }

    private static float maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "qwen3"})
    void withBAtZeroTheAdaptedModelIsItsBase(String type) {
        QwenConfig config = QwenModelTest.tiny(type);
        QwenModel model = adapted(config, LoraSpec.of(4, 8, List.of("all-linear")), false, QwenModel.Precision.FP32);
        QwenModel plain = QwenModel.random(config, 7, DataType.FLOAT32, m);
        assertThat(logits(model).toFloatArray()).containsExactly(logits(plain).toFloatArray());
        assertThat(model.adapters().modules()).hasSize(7 * config.numLayers());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "qwen3"})
    void theAdaptedModelComputesTheMergedWeights(String type) {
        QwenConfig config = QwenModelTest.tiny(type);
        // rsLoRA with a rank and an alpha pattern, a regex target: three scalings in play
        LoraSpec spec = new LoraSpec(
                4,
                8,
                0.0,
                null,
                ".*\\.(q_proj|v_proj|down_proj)",
                null,
                null,
                true,
                Map.of("layers\\.1\\.self_attn\\.q_proj", 2),
                Map.of("down_proj", 3.0));
        QwenModel model = adapted(config, spec, true, QwenModel.Precision.FP32);
        assertThat(model.adapters()
                        .modules()
                        .get("model.layers.1.self_attn.q_proj")
                        .scaling())
                .isEqualTo(8 / Math.sqrt(2));
        NDArray merged = logits(merged(model));
        NDArray adapted = logits(model);
        assertThat(maxDiff(adapted, logits(model.withoutAdapters())))
                .as("the adapters change the output")
                .isGreaterThan(1e-3f);
        assertThat(maxDiff(adapted, merged)).isLessThan(1e-5f);
    }

    @Test
    void theBaseViewSharesTheArraysAndComputesTheBase() {
        QwenConfig config = QwenModelTest.tiny("qwen3");
        QwenModel model =
                adapted(config, LoraSpec.of(4, 8, List.of("q_proj", "up_proj")), true, QwenModel.Precision.FP32);
        QwenModel view = model.withoutAdapters();
        assertThat(view.adapters()).isNull();
        for (String name : model.weights().keySet()) {
            assertThat(view.weights().get(name)).isSameAs(model.weights().get(name));
        }
        assertThat(logits(view).toFloatArray())
                .containsExactly(
                        logits(QwenModel.random(config, 7, DataType.FLOAT32, m)).toFloatArray());
        view.close(); // frees nothing
        assertThat(logits(model).getShape()).isEqualTo(new Shape(1, SEQ.length, config.vocabSize()));
    }

    @Test
    void onlyTheAdaptersTrain() {
        QwenConfig config = QwenModelTest.tiny("qwen2");
        QwenModel model = adapted(config, LoraSpec.of(4, 8, List.of("v_proj")), false, QwenModel.Precision.FP32);
        model.setTrainable(true);
        assertThat(model.trainableWeights().keySet())
                .containsExactly(
                        "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight",
                        "base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight",
                        "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight",
                        "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
        assertThat(model.trainableWeights().values()).allMatch(NDArray::hasGradient);
        assertThat(model.weights().values()).noneMatch(NDArray::hasGradient);
    }

    @Test
    void newAdaptersStartAsPeftsDo() {
        QwenConfig config = QwenModelTest.tiny("qwen3");
        LoraAdapters adapters =
                LoraAdapters.initialise(LoraSpec.of(8, 16, List.of("q_proj")), config, 3, DataType.FLOAT32, m);
        double bound = 1 / Math.sqrt(config.hiddenSize()); // kaiming_uniform(a=√5): U(−1/√in, 1/√in)
        float[] a = adapters.tensors()
                .get(LoraAdapters.nameOfA("model.layers.0.self_attn.q_proj"))
                .toFloatArray();
        double max = 0, sumSq = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
            sumSq += v * v;
        }
        assertThat(max).isLessThanOrEqualTo(bound);
        // the variance of U(−c, c) is c²/3; 8·32 draws
        assertThat(sumSq / a.length).isBetween(0.8 * bound * bound / 3, 1.2 * bound * bound / 3);
        assertThat(adapters.tensors()
                        .get(LoraAdapters.nameOfB("model.layers.0.self_attn.q_proj"))
                        .toFloatArray())
                .containsOnly(0f);
        // the same seed draws the same A
        LoraAdapters again =
                LoraAdapters.initialise(LoraSpec.of(8, 16, List.of("q_proj")), config, 3, DataType.FLOAT32, m);
        assertThat(again.tensors()
                        .get(LoraAdapters.nameOfA("model.layers.0.self_attn.q_proj"))
                        .toFloatArray())
                .containsExactly(a);
    }

    @Test
    void dropoutActsInTrainingPassesOnly() {
        QwenConfig config = QwenModelTest.tiny("qwen3");
        LoraSpec spec = LoraSpec.of(4, 8, List.of("all-linear")).withDropout(0.5);
        QwenModel model = adapted(config, spec, true, QwenModel.Precision.FP32);
        NDArray ids = m.create(SEQ, new Shape(1, SEQ.length));
        NDArray positions = m.arange(0, SEQ.length, 1, DataType.INT64).reshape(1, SEQ.length);
        NDArray inference = model.forward(ids, positions, null, null);
        NDArray noDropout = adapted(config, spec.withDropout(0), true, QwenModel.Precision.FP32)
                .forward(ids, positions, null, null);
        assertThat(inference.toFloatArray()).containsExactly(noDropout.toFloatArray());
        NDArray pass1 = model.trainingForward(ids, positions, 1, false).hidden();
        NDArray pass1Again = model.trainingForward(ids, positions, 1, false).hidden();
        NDArray pass2 = model.trainingForward(ids, positions, 2, false).hidden();
        assertThat(pass1.toFloatArray()).containsExactly(pass1Again.toFloatArray());
        assertThat(maxDiff(pass1, inference)).isGreaterThan(1e-4f);
        assertThat(maxDiff(pass1, pass2)).isGreaterThan(1e-4f);
    }

    @Test
    void aBf16BaseIsHeldInBf16AndComputesAsTheFp32MastersDo() {
        QwenConfig config = QwenModelTest.tiny("qwen2");
        QwenModel model = adapted(config, LoraSpec.of(4, 8, List.of("q_proj")), false, QwenModel.Precision.BF16);
        QwenModel masters = QwenModel.random(config, 7, DataType.FLOAT32, m, QwenModel.Precision.BF16);
        // the bf16 GEMM rounds the fp32 master to bf16 anyway: storing it rounded changes nothing
        assertThat(logits(model).toFloatArray()).containsExactly(logits(masters).toFloatArray());
        String q = "model.layers.0.self_attn.q_proj.weight";
        assertThat(model.weights().get(q).toByteBuffer().capacity())
                .as("2 bytes per element")
                .isEqualTo(2 * model.weights().get(q).getShape().size());
        // widened copies equal the masters rounded to bf16
        Map<String, NDArray> copies = model.baseWeightCopies();
        float[] widened = copies.get(q).toFloatArray();
        float[] master = masters.weights().get(q).toFloatArray();
        for (int i = 0; i < master.length; i++) {
            int bits = Float.floatToRawIntBits(master[i]);
            int rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000; // round to nearest even
            assertThat(widened[i]).isEqualTo(Float.intBitsToFloat(rounded));
        }
        copies.values().forEach(NDArray::close);
    }
}
