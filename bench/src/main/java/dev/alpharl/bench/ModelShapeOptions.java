package dev.alpharl.bench;

import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.model.ModelFormatException;
import dev.alpharl.trainer.model.QwenConfig;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * The options that shape a benchmark's random Qwen model: a preset (the bench model, 26.2M parameters, by default)
 * whose values any explicit shape option overrides.
 */
final class ModelShapeOptions {

    /** Named shapes; every real-vocabulary one has Qwen's 151,936 tokens and tied embeddings. */
    enum Preset {
        /** The bench model: 26.2M parameters, small vocabulary. */
        BENCH("bench", "qwen3", 8, 512, 1536, 8, 2, 64, 4096),
        /** Qwen3-0.6B's layer shape and vocabulary with 12 of its 28 layers: 344M parameters. */
        QWEN3_0_6B_12L("qwen3-0.6b-12l", "qwen3", 12, 1024, 3072, 16, 8, 128, 151_936),
        /** Qwen3-0.6B's shape: 596M parameters. */
        QWEN3_0_6B("qwen3-0.6b", "qwen3", 28, 1024, 3072, 16, 8, 128, 151_936),
        /** Qwen2.5-0.5B's shape (Qwen2 architecture: q/k/v biases, no QK-norm): 494M parameters. */
        QWEN2_5_0_5B("qwen2.5-0.5b", "qwen2", 24, 896, 4864, 14, 2, 64, 151_936);

        final String key;
        final String type;
        final int layers, hidden, intermediate, heads, kvHeads, headDim, vocab;

        Preset(
                String key,
                String type,
                int layers,
                int hidden,
                int intermediate,
                int heads,
                int kvHeads,
                int headDim,
                int vocab) {
            this.key = key;
            this.type = type;
            this.layers = layers;
            this.hidden = hidden;
            this.intermediate = intermediate;
            this.heads = heads;
            this.kvHeads = kvHeads;
            this.headDim = headDim;
            this.vocab = vocab;
        }

        static Preset of(String key) {
            for (Preset p : values()) {
                if (p.key.equals(key.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new UserInputException("--preset: unknown preset '" + key + "'; expected one of "
                    + Arrays.stream(values()).map(p -> p.key).collect(Collectors.joining(", ")));
        }
    }

    @Option(
            names = "--preset",
            defaultValue = "bench",
            description = "Model shape: bench (26.2M parameters, vocab 4096), qwen3-0.6b-12l (344M, vocab 151,936), "
                    + "qwen3-0.6b (596M), qwen2.5-0.5b (494M); the options below override its values "
                    + "(default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--layers", description = "Decoder layers (bench preset: 8).")
    Integer layers;

    @Option(names = "--hidden", description = "Hidden size (bench preset: 512).")
    Integer hidden;

    @Option(names = "--intermediate", description = "MLP size (bench preset: 1536).")
    Integer intermediate;

    @Option(names = "--heads", description = "Query heads (bench preset: 8).")
    Integer heads;

    @Option(names = "--kv-heads", description = "Key/value heads (bench preset: 2).")
    Integer kvHeads;

    @Option(names = "--head-dim", description = "Head dimension (bench preset: 64).")
    Integer headDim;

    @Option(names = "--vocab", description = "Vocabulary size (bench preset: 4096).")
    Integer vocab;

    /** The preset's config with the explicit options applied; a shape the model cannot have is bad input. */
    QwenConfig config() {
        Preset p = Preset.of(preset);
        try {
            return QwenConfig.tiny(
                    p.type,
                    or(hidden, p.hidden),
                    or(intermediate, p.intermediate),
                    or(layers, p.layers),
                    or(heads, p.heads),
                    or(kvHeads, p.kvHeads),
                    or(headDim, p.headDim),
                    or(vocab, p.vocab),
                    true);
        } catch (IllegalArgumentException | ModelFormatException e) {
            throw new UserInputException(e.getMessage(), e);
        }
    }

    private static int or(Integer explicit, int preset) {
        return explicit != null ? explicit : preset;
    }
}
