package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ModelShapeOptionsTest {

    private static QwenConfig parse(String... args) {
        BenchCommand c = new BenchCommand();
        new CommandLine(c).parseArgs(args);
        return c.shape.config();
    }

    private static long parameters(QwenConfig c) {
        return QwenModel.expectedShapes(c).values().stream()
                .mapToLong(Shape::size)
                .sum();
    }

    @Test
    void presetsHaveTheShapesAndParameterCountsTheyAreNamedFor() {
        QwenConfig bench = parse();
        assertThat(List.of(bench.numLayers(), bench.hiddenSize(), bench.vocabSize()))
                .containsExactly(8, 512, 4096);
        assertThat(parameters(bench)).isBetween(26_100_000L, 26_300_000L);
        QwenConfig twelve = parse("--preset", "qwen3-0.6b-12l");
        assertThat(List.of(twelve.numLayers(), twelve.hiddenSize(), twelve.numHeads(), twelve.numKvHeads()))
                .containsExactly(12, 1024, 16, 8);
        assertThat(twelve.vocabSize()).isEqualTo(151_936);
        assertThat(parameters(twelve)).isBetween(343_000_000L, 345_000_000L);
        // Qwen3-0.6B: 596M parameters with tied embeddings (its model card's 0.6B counts them once)
        assertThat(parameters(parse("--preset", "qwen3-0.6b"))).isBetween(595_000_000L, 597_000_000L);
        QwenConfig qwen25 = parse("--preset", "qwen2.5-0.5b");
        assertThat(qwen25.isQwen3()).isFalse();
        assertThat(qwen25.hasQkvBias()).isTrue();
        assertThat(parameters(qwen25)).isBetween(493_000_000L, 495_000_000L); // Qwen2.5-0.5B: 494M
    }

    @Test
    void explicitOptionsOverrideThePresetAndUnknownPresetsAreBadInput() {
        QwenConfig c = parse("--preset", "QWEN3-0.6B-12L", "--layers", "2", "--vocab", "1000");
        assertThat(List.of(c.numLayers(), c.hiddenSize(), c.vocabSize())).containsExactly(2, 1024, 1000);
        assertThatThrownBy(() -> parse("--preset", "llama"))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("--preset")
                .hasMessageContaining("qwen3-0.6b-12l");
    }
}
