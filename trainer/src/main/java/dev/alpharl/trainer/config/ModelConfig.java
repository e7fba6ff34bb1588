package dev.alpharl.trainer.config;

import java.nio.file.Path;

/**
 * @param path   directory of a Hugging Face checkpoint (config.json, *.safetensors, tokenizer files)
 * @param dtype  precision of the trained weights
 * @param device {@code auto} (GPU when present), {@code cpu}, {@code gpu} or {@code gpu:N}
 */
public record ModelConfig(
        @Required Path path,
        @Default("float32") DType dtype,
        @Default("auto") String device) {

    public enum DType { FLOAT32, BFLOAT16, FLOAT16 }

    public ModelConfig {
        InvalidValue.check(device.matches("auto|cpu|gpu(:\\d+)?"), "device",
                "must be one of auto|cpu|gpu|gpu:N, got \"" + device + "\"");
    }
}
