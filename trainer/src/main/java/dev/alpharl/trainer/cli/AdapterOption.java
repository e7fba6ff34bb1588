package dev.alpharl.trainer.cli;

import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.model.LoraSpec;
import dev.alpharl.trainer.model.ModelFormatException;
import dev.alpharl.trainer.model.PeftAdapter;
import dev.alpharl.trainer.model.QwenConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --adapter DIR} option of generate, eval and export, checked before any weight loads. */
final class AdapterOption {

    private AdapterOption() {}

    /**
     * Throws a one-line error (exit code 2) unless {@code dir} is a PEFT LoRA adapter this trainer can apply to a model
     * of {@code config}: a directory whose adapter_config.json is supported and whose targets exist in the model.
     */
    static LoraSpec check(Path dir, QwenConfig config) {
        if (!Files.isDirectory(dir)) {
            throw new UserInputException("--adapter: " + dir + " is not a directory (expected a PEFT adapter "
                    + "directory with " + PeftAdapter.CONFIG_FILE + " and " + PeftAdapter.WEIGHTS_FILE + ")");
        }
        LoraSpec spec = PeftAdapter.readSpec(dir);
        try {
            spec.resolve(config);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(
                    dir.resolve(PeftAdapter.CONFIG_FILE) + ": target_modules: " + e.getMessage(), e);
        }
        return spec;
    }
}
