package dev.alpharl.trainer.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import dev.alpharl.trainer.tensor.safetensors.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiConsumer;

/** Copies of the project's tiny model (models/tiny-qwen) with one thing changed, for bad-input tests. */
public final class TinyModelCopies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyModelCopies() {}

    /** models/tiny-qwen, from the trainer module or the repository root. */
    public static Path tinyQwen() {
        Path fromModule = Path.of("..", "models", "tiny-qwen").toAbsolutePath().normalize();
        return Files.isDirectory(fromModule)
                ? fromModule
                : Path.of("models", "tiny-qwen").toAbsolutePath();
    }

    /** A copy of the tiny model in {@code dir} whose tensor {@code name} holds one NaN (element 0), one +Inf (1). */
    public static Path withNonFinite(Path dir, String name) {
        return copy(dir, Map.of(), (tensor, values) -> {
            if (tensor.equals(name)) {
                values[0] = Float.NaN;
                values[1] = Float.POSITIVE_INFINITY;
            }
        });
    }

    /** A copy in {@code dir} whose tensor {@code name} holds finite values whose sum overflows float32. */
    public static Path withHugeFinite(Path dir, String name) {
        return copy(dir, Map.of(), (tensor, values) -> {
            if (tensor.equals(name)) {
                values[0] = 3e38f;
                values[1] = 3e38f;
            }
        });
    }

    /** A copy in {@code dir} whose config.json has the given top-level values. */
    public static Path withConfig(Path dir, Map<String, Object> config) {
        return copy(dir, config, (tensor, values) -> {});
    }

    private static Path copy(Path dir, Map<String, Object> config, BiConsumer<String, float[]> edit) {
        Path from = tinyQwen();
        try {
            Files.createDirectories(dir);
            try (var files = Files.list(from)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (!f.getFileName().toString().equals(TensorSource.SINGLE_FILE)) {
                        Files.copy(f, dir.resolve(f.getFileName()));
                    }
                }
            }
            if (!config.isEmpty()) {
                ObjectNode json =
                        (ObjectNode) JSON.readTree(from.resolve("config.json").toFile());
                config.forEach((k, v) -> json.set(k, JSON.valueToTree(v)));
                JSON.writerWithDefaultPrettyPrinter()
                        .writeValue(dir.resolve("config.json").toFile(), json);
            }
            SafetensorsWriter writer = new SafetensorsWriter();
            try (TensorSource source = TensorSource.open(from)) {
                for (String name : source.names()) {
                    float[] values = source.readFloats(name);
                    edit.accept(name, values);
                    writer.add(name, values, source.entry(name).shape(), SafetensorsDtype.F32);
                }
            }
            writer.write(dir.resolve(TensorSource.SINGLE_FILE));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
