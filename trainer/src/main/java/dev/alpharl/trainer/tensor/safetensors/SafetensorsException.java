package dev.alpharl.trainer.tensor.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file, shard or index that is malformed or does not hold what was asked for. The message names the
 * file and, when one is involved, the tensor.
 */
public final class SafetensorsException extends IOException {

    private final transient Path file;
    private final String tensor;

    public SafetensorsException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public SafetensorsException(Path file, String tensor, String problem, Throwable cause) {
        super(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem, cause);
        this.file = file;
        this.tensor = tensor;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or null when the problem concerns the whole file. */
    public String tensor() {
        return tensor;
    }
}
