package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link QwenModel#random}: drawn natively, yet a pure function of seed, config and dtype, with the distribution its
 * doc promises (matrices and biases N(0, 0.02²), norms exactly 1).
 */
class RandomInitTest {

    private static final QwenConfig QWEN2 = QwenConfig.tiny("qwen2", 64, 96, 2, 4, 2, 16, 4096, true);

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

    @Test
    void theSameSeedGivesTheSameWeightsAndAnotherSeedOthers() {
        try (QwenModel a = QwenModel.random(QWEN2, 5, DataType.FLOAT32, m);
                QwenModel b = QwenModel.random(QWEN2, 5, DataType.FLOAT32, m);
                QwenModel c = QwenModel.random(QWEN2, 6, DataType.FLOAT32, m)) {
            assertThat(b.weights().keySet())
                    .containsExactlyElementsOf(a.weights().keySet());
            for (Map.Entry<String, NDArray> e : a.weights().entrySet()) {
                String name = e.getKey();
                assertThat(b.weights().get(name).contentEquals(e.getValue()))
                        .as(name)
                        .isTrue();
                if (!name.endsWith("norm.weight")) {
                    assertThat(c.weights().get(name).contentEquals(e.getValue()))
                            .as(name)
                            .isFalse();
                }
            }
            // each tensor has its own stream: the two KV projections of a layer are not copies of each other
            NDArray k = a.weights().get("model.layers.0.self_attn.k_proj.weight");
            NDArray v = a.weights().get("model.layers.0.self_attn.v_proj.weight");
            assertThat(k.contentEquals(v)).isFalse();
        }
    }

    @Test
    void matricesAndBiasesAreNormalWithStd002AndNormsAreOne() {
        try (QwenModel model = QwenModel.random(QWEN2, 9, DataType.FLOAT64, m)) {
            for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
                NDArray w = e.getValue();
                assertThat(w.getDataType()).isEqualTo(DataType.FLOAT64);
                double[] x = w.toDoubleArray();
                if (e.getKey().endsWith("norm.weight")) {
                    assertThat(x).as(e.getKey()).containsOnly(1.0);
                    continue;
                }
                double mean = 0;
                for (double v : x) {
                    mean += v;
                }
                mean /= x.length;
                double var = 0;
                for (double v : x) {
                    var += (v - mean) * (v - mean);
                }
                double std = Math.sqrt(var / (x.length - 1));
                int n = x.length;
                // 6 standard errors: the mean's is 0.02/√n, the sample std's about 0.02/√(2n)
                assertThat(Math.abs(mean)).as("%s mean", e.getKey()).isLessThan(6 * 0.02 / Math.sqrt(n));
                assertThat(Math.abs(std - 0.02)).as("%s std", e.getKey()).isLessThan(6 * 0.02 / Math.sqrt(2.0 * n));
            }
        }
    }
}
