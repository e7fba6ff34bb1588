package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RlStepInputsTest {

    @TempDir
    Path dir;

    /** 2 prompts of 3 tokens, G = 2, lengths 1, 4, 2, 3. */
    private final RlStepInputs inputs =
            new RlStepInputs(List.of(new long[] {5, 6, 7}, new long[] {8, 9, 10}), 2, new int[] {1, 4, 2, 3});

    @Test
    void tokenAccountingByHand() {
        assertThat(inputs.rows()).isEqualTo(4);
        assertThat(inputs.generatedTokens()).isEqualTo(1 + 4 + 2 + 3);
        assertThat(inputs.trainedTokens()).isEqualTo(4 * 3 + 10);
        assertThat(inputs.longest()).isEqualTo(4);
        assertThat(inputs.paddedTrainedTokens()).isEqualTo(4 * (3 + 4));
        assertThat(inputs.rowPrompts())
                .extracting(Arrays::toString)
                .containsExactly("[5, 6, 7]", "[5, 6, 7]", "[8, 9, 10]", "[8, 9, 10]");
    }

    @Test
    void randomInputsFollowTheSettings() {
        RlStepSettings s = new RlStepSettings(
                QwenConfig.tiny("qwen3", 32, 64, 1, 4, 2, 8, 50, true),
                3,
                4,
                6,
                20,
                1,
                1,
                9,
                RlStepSettings.trainConfig(3, 4, 20, List.of()));
        RlStepInputs r = RlStepInputs.random(s);
        assertThat(r.prompts()).hasSize(3).allSatisfy(p -> assertThat(p).hasSize(6));
        assertThat(r.prompts().stream().flatMapToLong(Arrays::stream))
                .allSatisfy(id -> assertThat(id).isBetween(0L, 49L));
        assertThat(r.lengths()).hasSize(12);
        assertThat(Arrays.stream(r.lengths()).boxed())
                .allSatisfy(l -> assertThat(l).isBetween(1, 20));
        assertThat(RlStepInputs.random(s).lengths()).containsExactly(r.lengths());
    }

    @Test
    void theReplayFileHoldsEveryStepsCompletionsPaddedToTheLongest() throws Exception {
        TorchRuntime.init();
        List<List<long[]>> steps = List.of(
                List.of(new long[] {11}, new long[] {12, 13, 14, 15}, new long[] {16, 17}, new long[] {18, 19, 20}),
                List.of(new long[] {21}, new long[] {22, 23, 24, 25}, new long[] {26, 27}, new long[] {28, 29, 30}));
        Path file = dir.resolve("rl.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            inputs.write(file, steps, new double[] {1e-6, 2e-6}, m);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertThat(f.load("completions", m).getShape().getShape()).containsExactly(2, 4, 4);
                long p = RlStepInputs.PAD_ID;
                assertThat(f.load("completions", m).toLongArray())
                        .containsExactly(
                                11, p, p, p, 12, 13, 14, 15, 16, 17, p, p, 18, 19, 20, p, //
                                21, p, p, p, 22, 23, 24, 25, 26, 27, p, p, 28, 29, 30, p);
                assertThat(f.load("prompts", m).toLongArray()).containsExactly(5, 6, 7, 8, 9, 10);
                assertThat(f.load("lengths", m).toLongArray()).containsExactly(1, 4, 2, 3);
                assertThat(f.load("group_size", m).getLong()).isEqualTo(2);
                assertThat(f.load("learning_rates", m).toDoubleArray()).containsExactly(1e-6, 2e-6);
            }
        }
    }

    @Test
    void oneLengthPerRowAndPromptsOfOneLength() {
        assertThatThrownBy(() -> new RlStepInputs(List.of(new long[] {1}), 2, new int[] {1}))
                .hasMessageContaining("one length per row (2)");
        assertThatThrownBy(() -> new RlStepInputs(List.of(new long[] {1}, new long[] {1, 2}), 1, new int[] {1, 1}))
                .hasMessageContaining("same length");
    }
}
