package dev.alpharl.trainer.tensor.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Lazy, read-only access to the tensors of a safetensors checkpoint: opening reads only the header(s); tensor data is
 * read on demand, into native arrays without passing through Java buffers. Safe to use from several threads (reads
 * are positional).
 */
public interface TensorSource extends Closeable {

    String SINGLE_FILE = "model.safetensors";
    String INDEX_FILE = "model.safetensors.index.json";

    /**
     * Opens a checkpoint: a {@code .safetensors} file, a {@code model.safetensors.index.json}, or a directory holding
     * either (the single file wins, as in HF {@code from_pretrained}).
     */
    static TensorSource open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path single = path.resolve(SINGLE_FILE);
            if (Files.isRegularFile(single)) {
                return SafetensorsFile.open(single);
            }
            Path index = path.resolve(INDEX_FILE);
            if (Files.isRegularFile(index)) {
                return ShardedSafetensors.open(index);
            }
            throw new SafetensorsException(path, null, "directory holds neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        if (path.getFileName() != null && path.getFileName().toString().endsWith(".json")) {
            return ShardedSafetensors.open(path);
        }
        return SafetensorsFile.open(path);
    }

    /** Tensor names, in a stable order (header order for a file, sorted for a sharded checkpoint). */
    Set<String> names();

    /** Where a tensor lives; throws {@link SafetensorsException} for an unknown name. */
    TensorEntry entry(String name) throws SafetensorsException;

    /**
     * Reads a tensor into a new array owned by {@code manager} (the caller closes it, or the manager does). F16/BF16
     * are widened to FLOAT32; other dtypes keep their type ({@link SafetensorsDtype#loadedAs()}).
     */
    NDArray load(String name, NDManager manager) throws IOException;

    /**
     * Reads a tensor into a new array of {@code type} owned by {@code manager}: the dtype's
     * {@link SafetensorsDtype#loadedAs() loaded type}, or FLOAT32/FLOAT64 for any floating-point dtype. The data goes
     * from the file to native memory with the conversion on the way: no Java heap array or direct buffer holds it,
     * and no copy in another type is made first.
     *
     * @throws IllegalArgumentException for any other type
     */
    NDArray load(String name, NDManager manager, DataType type) throws IOException;

    /** Reads a tensor as float32 values in row-major order (any dtype; F64 and 64-bit integers are rounded). */
    float[] readFloats(String name) throws IOException;

    /** Loads every tensor, keyed by name in {@link #names()} order, into {@code manager}. */
    default Map<String, NDArray> loadAll(NDManager manager) throws IOException {
        Map<String, NDArray> all = new LinkedHashMap<>();
        for (String name : names()) {
            all.put(name, load(name, manager));
        }
        return all;
    }
}
