package dev.alpharl.bench;

import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.model.ModelFormatException;
import dev.alpharl.trainer.model.QwenConfig;
import picocli.CommandLine.Option;

/** The options that shape a benchmark's random Qwen3 model; the defaults are the bench model (26.2M parameters). */
final class ModelShapeOptions {

    @Option(names = "--layers", defaultValue = "8", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--hidden", defaultValue = "512", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--intermediate", defaultValue = "1536", description = "MLP size (default: ${DEFAULT-VALUE}).")
    int intermediate;

    @Option(names = "--heads", defaultValue = "8", description = "Query heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "2", description = "Key/value heads (default: ${DEFAULT-VALUE}).")
    int kvHeads;

    @Option(names = "--head-dim", defaultValue = "64", description = "Head dimension (default: ${DEFAULT-VALUE}).")
    int headDim;

    @Option(names = "--vocab", defaultValue = "4096", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab;

    /** The Qwen3-shaped config with tied embeddings; a shape the model cannot have is bad input. */
    QwenConfig config() {
        try {
            return QwenConfig.tiny("qwen3", hidden, intermediate, layers, heads, kvHeads, headDim, vocab, true);
        } catch (IllegalArgumentException | ModelFormatException e) {
            throw new UserInputException(e.getMessage(), e);
        }
    }
}
