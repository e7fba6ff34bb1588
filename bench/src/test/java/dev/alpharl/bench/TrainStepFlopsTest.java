package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainStepFlopsTest {

    @Test
    void handComputedSmallConfig() {
        // H=4, F=6, L=2, 2 query heads and 1 KV head of d=2 (n_q·d = 4, n_kv·d = 2), V=10; B=3, P=2, C=3, T=5.
        QwenConfig c = QwenConfig.tiny("qwen3", 4, 6, 2, 2, 1, 2, 10, true);
        TrainStepFlops f = TrainStepFlops.of(c, 3, 2, 3);
        // per layer: q 4·4 + k,v 2·4·2 + o 4·4 + gate,up,down 3·4·6 = 16 + 16 + 16 + 72 = 120 weights;
        // 6 FLOPs per weight per token over 2 layers and 15 tokens: 6·2·120·15 = 21,600
        assertThat(f.linear()).isEqualTo(21_600);
        // visible (query, key) pairs per sequence: 5·6/2 = 15; 12·d·n_q = 12·2·2 = 48 per pair per layer:
        // 48 · 15 pairs · 3 rows · 2 layers = 4,320
        assertThat(f.attention()).isEqualTo(4_320);
        // head on the 9 completion positions only: 6·4·10·9 = 2,160
        assertThat(f.head()).isEqualTo(2_160);
        assertThat(f.total()).isEqualTo(28_080);
    }

    @Test
    void linearTermIsSixFlopsPerProjectionWeightPerTokenOfTheModelsOwnShapes() {
        // Qwen2.5-0.5B's shape; the projection weights are counted from the model's tensor list, not the formula
        QwenConfig c = QwenConfig.tiny("qwen2", 896, 4864, 24, 14, 2, 64, 151_936, true);
        long projectionWeights = 0;
        for (Map.Entry<String, Shape> e : QwenModel.expectedShapes(c).entrySet()) {
            if (e.getKey().endsWith("_proj.weight")) {
                projectionWeights += e.getValue().size();
            }
        }
        int batch = 8, prompt = 100, completion = 412;
        TrainStepFlops f = TrainStepFlops.of(c, batch, prompt, completion);
        assertThat(f.linear()).isCloseTo(6.0 * projectionWeights * batch * (prompt + completion), within(1.0));
        // the attention term counts exactly the causal pairs: Σ_{i<T} (i + 1)
        long pairs = 0;
        for (int i = 0; i < prompt + completion; i++) {
            pairs += i + 1;
        }
        assertThat(f.attention()).isCloseTo(12.0 * 24 * 14 * 64 * batch * pairs, within(1.0));
        assertThat(f.head()).isCloseTo(6.0 * 896 * 151_936 * batch * completion, within(1.0));
    }
}
