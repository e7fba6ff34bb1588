package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Activation checkpointing (layers recomputed in backward) gives the gradients of the plain recorded backward, within
 * 1e-6 relative per parameter: every weight under full fine-tuning (tied and untied heads, biases, QK-norm), the
 * adapters under LoRA with dropout (the recomputed layers re-draw the same masks), in fp64 and fp32.
 */
class ActivationCheckpointingTest {

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

    private final SequenceBatch batch = new SequenceBatch(
            List.of(new long[] {3, 8, 1}, new long[] {5}, new long[] {9, 9, 2, 7}),
            List.of(new long[] {12, 30, 2, 1}, new long[] {7, 7, 40}, new long[] {44, 3}),
            0);

    /** The gradient of Σ_rows Σ_t w_t·log π(y_t) (fixed weights w_t = 1 + 0.1·t) under the two backward paths. */
    private Map<String, double[]> gradients(QwenModel model, boolean recompute) {
        Map<String, double[]> out = new LinkedHashMap<>();
        LogProbScorer scorer = new LogProbScorer(model, 4L * model.config().vocabSize(), recompute);
        try (StepScope scope = StepScope.open(m);
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDManager sm = scope.manager();
            scorer.backward(
                    batch,
                    0.9,
                    LogProbScorer.Entropy.NONE,
                    (a, b, s) -> {
                        NDArray w = sm.arange(
                                        0, batch.maxCompletion(), 1, s.logp().getDataType())
                                .mul(0.1)
                                .add(1);
                        return s.logp().mul(w).sum();
                    },
                    gc,
                    sm,
                    17L);
        }
        try (StepScope scope = StepScope.open(m)) {
            for (Map.Entry<String, NDArray> e : model.trainableWeights().entrySet()) {
                NDArray g = scope.gradient(e.getValue());
                out.put(e.getKey(), g.toType(DataType.FLOAT64, false).toDoubleArray());
                JniUtils.zeroGrad((PtNDArray) e.getValue());
            }
        }
        return out;
    }

    private static void assertClose(Map<String, double[]> got, Map<String, double[]> want, double tolerance) {
        assertThat(got.keySet()).isEqualTo(want.keySet());
        for (String name : want.keySet()) {
            double diff = 0, norm = 0;
            for (int i = 0; i < want.get(name).length; i++) {
                diff += Math.pow(got.get(name)[i] - want.get(name)[i], 2);
                norm += Math.pow(want.get(name)[i], 2);
            }
            assertThat(norm).as("%s has a gradient", name).isPositive();
            assertThat(Math.sqrt(diff / norm))
                    .as("relative gradient error of %s", name)
                    .isLessThanOrEqualTo(tolerance);
        }
    }

    @ParameterizedTest(name = "{0} {1}, LoRA {2}")
    @CsvSource({
        "qwen2, FLOAT64, false",
        "qwen3, FLOAT64, false",
        "qwen2, FLOAT64, true",
        "qwen3, FLOAT64, true",
        "qwen2, FLOAT32, false",
        "qwen3, FLOAT32, true"
    })
    void checkpointedGradientsEqualThePlainOnes(String type, DataType dtype, boolean lora) {
        QwenConfig config = QwenModelTest.tiny(type);
        QwenModel model = QwenModel.random(config, 5, dtype, m);
        if (lora) {
            LoraAdapters adapters = LoraAdapters.initialise(
                    LoraSpec.of(4, 8, List.of("all-linear")).withDropout(0.3), config, 11, dtype, m);
            // B = 0 would give A no gradient: start B away from zero
            for (Map.Entry<String, NDArray> e : adapters.tensors().entrySet()) {
                if (e.getKey().endsWith("lora_B.weight")) {
                    NDArray noise = m.randomNormal(0, 0.05f, e.getValue().getShape(), DataType.FLOAT32)
                            .toType(dtype, false);
                    e.getValue().set(noise.toByteBuffer());
                }
            }
            model = PeftAdapter.adoptBase(model, adapters, m);
        }
        model.setTrainable(true);
        Map<String, double[]> plain = gradients(model, false);
        Map<String, double[]> recomputed = gradients(model, true);
        assertThat(plain)
                .hasSize(lora ? 2 * 7 * config.numLayers() : model.weights().size());
        assertClose(recomputed, plain, 1e-6);
    }
}
