package dev.alpharl.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.model.ModelFormatException;
import dev.alpharl.trainer.tensor.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** What one {@link Checkpointable} part saved, read back. */
public final class StateReader {

    private final Path checkpoint;
    private final Path stateDir;
    private final String key;
    private final JsonNode json;
    private final ObjectMapper mapper;

    StateReader(Path checkpoint, Path stateDir, String key, JsonNode json, ObjectMapper mapper) {
        this.checkpoint = checkpoint;
        this.stateDir = stateDir;
        this.key = key;
        this.json = json;
        this.mapper = mapper;
    }

    /** Whether the checkpoint holds a JSON entry for this part. */
    public boolean hasJson() {
        return json != null && !json.isMissingNode() && !json.isNull();
    }

    /** The part's JSON state as {@code type}. */
    public <T> T json(Class<T> type) throws IOException {
        if (!hasJson()) {
            throw new ModelFormatException(checkpoint + ": the trainer state has no '" + key + "' entry (the checkpoint"
                    + " was written by another version or with another configuration)");
        }
        return mapper.treeToValue(json, type);
    }

    /** Tensors saved with {@link StateWriter#tensors(Map)}, loaded into {@code manager}. */
    public Map<String, NDArray> tensors(NDManager manager) {
        return tensors("", manager);
    }

    /** Tensors saved with {@link StateWriter#tensors(String, Map)}, loaded into {@code manager}. */
    public Map<String, NDArray> tensors(String suffix, NDManager manager) {
        Path file = stateDir.resolve(TrainerCheckpoint.tensorFile(key, suffix));
        try (TensorSource source = TensorSource.open(file)) {
            return source.loadAll(manager);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /** The part's own directory, {@code trainer-state/<key>/} (it may not exist). */
    public Path directory() {
        return stateDir.resolve(key);
    }

    /** Whether the part wrote its directory. */
    public boolean hasDirectory() {
        return Files.isDirectory(directory());
    }

    /** The checkpoint directory being restored. */
    public Path checkpoint() {
        return checkpoint;
    }
}
