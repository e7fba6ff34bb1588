package dev.alpharl.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Where one {@link Checkpointable} part writes its state: a JSON value, tensor files, or a directory of its own. */
public final class StateWriter {

    private final Path stateDir;
    private final String key;
    private Object json;

    StateWriter(Path stateDir, String key) {
        this.stateDir = stateDir;
        this.key = key;
    }

    /** The part's JSON state (a record, a map, a number): its entry in state.json. */
    public void json(Object value) {
        json = value;
    }

    /** Tensors saved as {@code <key>.safetensors}. */
    public void tensors(Map<String, NDArray> tensors) throws IOException {
        tensors("", tensors);
    }

    /** Tensors saved as {@code <key>-<suffix>.safetensors} (a part with several groups, e.g. the critic's moments). */
    public void tensors(String suffix, Map<String, NDArray> tensors) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        tensors.forEach(w::add);
        w.write(stateDir.resolve(TrainerCheckpoint.tensorFile(key, suffix)));
    }

    /** The part's own directory, {@code trainer-state/<key>/}, created on first use. */
    public Path directory() throws IOException {
        return Files.createDirectories(stateDir.resolve(key));
    }

    Object jsonValue() {
        return json;
    }
}
