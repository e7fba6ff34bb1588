package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsFile;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RELEX's trajectory (ALPHARL.md §9.1): for every tensor of the model (embeddings, norms and biases included), the
 * deltas Δ_t = θ_t − θ_0 of each appended step, stored fp32 on disk as {@code delta-NNNNNN.safetensors}, and the
 * uncentred Gram matrix G_ij = ⟨vec Δ_i, vec Δ_j⟩ per tensor, accumulated in fp64 as steps arrive (each append
 * reads the earlier deltas once: O(T·P) per step). {@code trajectory.json} lists the steps and Gram matrices and is
 * replaced atomically after each delta file is complete, so {@link #open} resumes from the last complete append.
 * W_0 is kept in memory as fp32 copies.
 */
public final class RelexTrajectory implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX_FILE = "trajectory.json";

    private final Path dir;
    private final NDManager manager;
    private final Map<String, NDArray> base = new LinkedHashMap<>();
    private final List<Long> steps = new ArrayList<>();
    private final Map<String, List<double[]>> gram = new LinkedHashMap<>();

    private RelexTrajectory(Path dir, Map<String, NDArray> baseWeights, NDManager parent) {
        this.dir = dir;
        this.manager = parent.newSubManager();
        for (Map.Entry<String, NDArray> e : baseWeights.entrySet()) {
            NDArray copy = SnapshotRecorder.fp32Copy(e.getValue());
            copy.attach(manager);
            base.put(e.getKey(), copy);
            gram.put(e.getKey(), new ArrayList<>());
        }
    }

    /** A new, empty trajectory in {@code dir} (created; must not already hold one). */
    public static RelexTrajectory create(Path dir, Map<String, NDArray> baseWeights, NDManager parent)
            throws IOException {
        if (Files.exists(dir.resolve(INDEX_FILE))) {
            throw new IOException(dir + " already holds a RELEX trajectory (" + INDEX_FILE + ")");
        }
        Files.createDirectories(dir);
        RelexTrajectory t = new RelexTrajectory(dir, baseWeights, parent);
        t.writeIndex();
        return t;
    }

    /** Reopens the trajectory in {@code dir} over the same base weights (to resume a run). */
    public static RelexTrajectory open(Path dir, Map<String, NDArray> baseWeights, NDManager parent)
            throws IOException {
        Path index = dir.resolve(INDEX_FILE);
        if (!Files.isRegularFile(index)) {
            throw new IOException(dir + ": no " + INDEX_FILE + " (not a RELEX trajectory directory)");
        }
        JsonNode root = JSON.readTree(index.toFile());
        RelexTrajectory t = new RelexTrajectory(dir, baseWeights, parent);
        try {
            root.path("steps").forEach(s -> t.steps.add(s.asLong()));
            for (String name : t.base.keySet()) {
                JsonNode g = root.path("gram").path(name);
                if (g.size() != t.steps.size()) {
                    throw new IOException(index + ": tensor '" + name + "' has " + g.size() + " Gram rows, expected "
                            + t.steps.size() + " (was the trajectory recorded for another model?)");
                }
                for (JsonNode row : g) {
                    double[] r = new double[row.size()];
                    for (int j = 0; j < r.length; j++) {
                        r[j] = row.get(j).asDouble();
                    }
                    t.gram.get(name).add(r);
                }
            }
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** Appends Δ_t = θ_t − θ_0 for every tensor and extends each Gram matrix by one row and column. */
    public void append(long step, Map<String, NDArray> weights) throws IOException {
        if (!steps.isEmpty() && step <= steps.get(steps.size() - 1)) {
            throw new IllegalArgumentException(
                    "step " + step + " is not after the last one (" + steps.get(steps.size() - 1) + ")");
        }
        int t = steps.size();
        Map<String, float[]> deltas = new LinkedHashMap<>();
        SafetensorsWriter writer = new SafetensorsWriter();
        for (Map.Entry<String, NDArray> e : base.entrySet()) {
            NDArray w = weights.get(e.getKey());
            if (w == null) {
                throw new IllegalArgumentException("weights of step " + step + " lack tensor '" + e.getKey() + "'");
            }
            float[] delta = StepScope.run(
                    manager,
                    scope -> scope.own(w.toType(DataType.FLOAT32, true))
                            .sub(e.getValue())
                            .toFloatArray());
            deltas.put(e.getKey(), delta);
            writer.add(e.getKey(), delta, e.getValue().getShape().getShape(), SafetensorsDtype.F32);
        }
        writer.write(deltaFile(t));
        Map<String, double[]> rows = new LinkedHashMap<>();
        deltas.forEach((name, d) -> {
            double[] row = new double[t + 1];
            row[t] = Vectors.dot(d, d);
            rows.put(name, row);
        });
        for (int j = 0; j < t; j++) {
            try (SafetensorsFile earlier = SafetensorsFile.open(deltaFile(j))) {
                for (Map.Entry<String, float[]> e : deltas.entrySet()) {
                    rows.get(e.getKey())[j] = Vectors.dot(e.getValue(), earlier.readFloats(e.getKey()));
                }
            }
        }
        rows.forEach((name, row) -> gram.get(name).add(row));
        steps.add(step);
        writeIndex();
    }

    /**
     * Keeps only the first {@code count} appended steps, dropping later ones and their delta files: a run resumed
     * from a checkpoint taken before them appends those steps again.
     */
    public void truncate(int count) throws IOException {
        if (count < 0 || count > steps.size()) {
            throw new IllegalArgumentException("cannot keep " + count + " of " + steps.size() + " steps");
        }
        int before = steps.size();
        for (int t = before - 1; t >= count; t--) {
            steps.remove(t);
            for (List<double[]> rows : gram.values()) {
                rows.remove(t);
            }
        }
        // the index first: a crash in between leaves unlisted delta files, never listed missing ones
        writeIndex();
        for (int t = count; t < before; t++) {
            Files.deleteIfExists(deltaFile(t));
        }
    }

    /** The appended steps, oldest first. */
    public List<Long> steps() {
        return Collections.unmodifiableList(steps);
    }

    /** Tensor names, in base order. */
    public List<String> tensors() {
        return List.copyOf(base.keySet());
    }

    /** θ_0 (fp32 copies owned by the trajectory). */
    public Map<String, NDArray> base() {
        return Collections.unmodifiableMap(base);
    }

    /** The full symmetric T×T Gram matrix of one tensor. */
    public double[][] gram(String tensor) {
        List<double[]> rows = gram.get(tensor);
        int n = rows.size();
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                g[i][j] = rows.get(i)[j];
                g[j][i] = rows.get(i)[j];
            }
        }
        return g;
    }

    /** Opens the stored deltas of snapshot {@code index} (0-based, in {@link #steps} order). */
    public SafetensorsFile deltas(int index) throws IOException {
        return SafetensorsFile.open(deltaFile(index));
    }

    private Path deltaFile(int index) {
        return dir.resolve(String.format("delta-%06d.safetensors", index));
    }

    private void writeIndex() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode s = root.putArray("steps");
        steps.forEach(s::add);
        ObjectNode g = root.putObject("gram");
        gram.forEach((name, rows) -> {
            ArrayNode a = g.putArray(name);
            rows.forEach(r -> {
                ArrayNode row = a.addArray();
                Arrays.stream(r).forEach(row::add);
            });
        });
        Path tmp = Files.createTempFile(dir, ".trajectory", ".json.tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
        Files.move(tmp, dir.resolve(INDEX_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        manager.close();
    }
}
