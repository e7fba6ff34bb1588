package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.model.LoraAdapters;
import dev.alpharl.trainer.model.LoraSpec;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsFile;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Records the AlphaRL rank-1 trajectory of the tracked matrices (ALPHARL.md §6, step 2–3), online after an
 * optimizer step or offline from saved checkpoints. It holds fp32 copies of W_0 for the tracked matrices; each
 * {@link #record} computes, per matrix and in a scope of its own, ΔW = W_t − W_0 in fp32 on the weights' device,
 * its top triplet (block Lanczos warm-started from the previous snapshot's top Ritz vectors, {@link Rank1}), the
 * forward sign alignment and the quality numbers, and keeps only Java arrays: σ1·u1, v1 and scalars, i.e.
 * O(d_out + d_in) floats per matrix per snapshot ({@link #storedFloats}), plus the latest snapshot's warm start
 * (blockSize·d_in floats per matrix). An exact-SVD fallback is logged.
 *
 * <p>For a policy trained through LoRA adapters ({@link #forAdapters}) the update of an adapted matrix is
 * ΔW = s·B·A itself: {@link #recordAdapters} takes its top triplet from the factors ({@link Rank1#topOfProduct}, an
 * r×r problem) and the recorder holds no copy of W_0.
 *
 * <p>The state (snapshots and warm starts, not W_0) round-trips through a directory ({@link #save}, {@link #load})
 * so that a trainer checkpoint can include it and a resumed run continues exactly.
 */
public final class SnapshotRecorder implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(SnapshotRecorder.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATE_FILE = "state.json";
    private static final String VECTORS_FILE = "vectors.safetensors";
    /** Tensor name prefix of the warm starts in {@link #VECTORS_FILE}; states written without them start cold. */
    private static final String WARM_PREFIX = "warm/";

    private static final int FORMAT_VERSION = 1;
    private static final String WEIGHT_SPACE = "weights";
    private static final String ADAPTER_SPACE = "lora";
    private static final String WEIGHT_SUFFIX = ".weight";
    /** Relative tolerance when checking that a loaded state belongs to the given W_0 (by Frobenius norms). */
    private static final double BASE_NORM_TOLERANCE = 1e-5;

    private final NDManager manager;
    private final Map<String, NDArray> base = new LinkedHashMap<>();
    private final Map<String, Double> baseNorms = new LinkedHashMap<>();
    /** The tracked matrices in order (W_0's keys in weight space). */
    private final List<String> tracked = new ArrayList<>();
    /** Whether updates are read from LoRA adapters (ΔW = s·B·A) instead of W_t − W_0. */
    private final boolean adapterSpace;

    private final Rank1 rank1;
    private final List<Snapshot> snapshots = new ArrayList<>();
    /** The latest snapshot's top Ritz right vectors per matrix ({@link TopTriplet#ritz}): the next warm start. */
    private final Map<String, float[]> warmStarts = new LinkedHashMap<>();

    /**
     * @param baseWeights W_0 by name (not retained: the tracked matrices are copied in fp32)
     * @param matrices    names of the 2-D matrices to track (e.g. {@code QwenModel.projectionMatrices()})
     */
    public SnapshotRecorder(Map<String, NDArray> baseWeights, List<String> matrices, Rank1 rank1, NDManager parent) {
        this.rank1 = rank1;
        this.manager = parent.newSubManager();
        this.adapterSpace = false;
        this.tracked.addAll(matrices);
        for (String name : matrices) {
            NDArray w = baseWeights.get(name);
            if (w == null) {
                throw new IllegalArgumentException("tracked matrix '" + name + "' is not among the base weights");
            }
            if (w.getShape().dimension() != 2) {
                throw new IllegalArgumentException("tracked tensor '" + name + "' is not 2-D: " + w.getShape());
            }
            NDArray copy = fp32Copy(w);
            copy.attach(manager);
            base.put(name, copy);
            baseNorms.put(
                    name,
                    StepScope.run(
                            manager,
                            scope -> Math.sqrt(scope.own(copy.toType(DataType.FLOAT64, true))
                                    .square()
                                    .sum()
                                    .getDouble())));
        }
    }

    private SnapshotRecorder(List<String> matrices, Rank1 rank1, NDManager parent) {
        this.rank1 = rank1;
        this.manager = parent.newSubManager();
        this.adapterSpace = true;
        this.tracked.addAll(matrices);
    }

    /**
     * A recorder of the updates of LoRA-adapted matrices, named by their weights ({@code <module>.weight}); it keeps
     * no base weights, since an adapter is its own update.
     */
    public static SnapshotRecorder forAdapters(List<String> matrices, Rank1 rank1, NDManager parent) {
        for (String name : matrices) {
            if (!name.endsWith(WEIGHT_SUFFIX)) {
                throw new IllegalArgumentException("tracked matrix '" + name + "' is not a module's weight");
            }
        }
        return new SnapshotRecorder(matrices, rank1, parent);
    }

    /** The weights of the modules {@code adapters} adapts, in layer order: what {@link #forAdapters} tracks. */
    public static List<String> adaptedMatrices(LoraAdapters adapters) {
        return adapters.modules().keySet().stream().map(m -> m + WEIGHT_SUFFIX).toList();
    }

    /** Whether this recorder reads updates from LoRA adapters. */
    public boolean adapterSpace() {
        return adapterSpace;
    }

    /**
     * A new fp32 array with {@code w}'s values that shares no storage with it: DJL's {@code toType(FLOAT32, true)}
     * of an fp32 array returns libtorch's {@code to()} of it, which aliases the same storage, so a W_0 taken that way
     * from live fp32 weights would follow their in-place updates and every ΔW would read 0.
     */
    static NDArray fp32Copy(NDArray w) {
        return w.getDataType() == DataType.FLOAT32 ? w.duplicate() : w.toType(DataType.FLOAT32, false);
    }

    /** The tracked matrix names, in order. */
    public List<String> matrices() {
        return List.copyOf(tracked);
    }

    /** W_0 (fp32) of a tracked matrix; owned by the recorder. */
    public NDArray base(String name) {
        return base.get(name);
    }

    /** The snapshots recorded so far, oldest first. */
    public List<Snapshot> snapshots() {
        return Collections.unmodifiableList(snapshots);
    }

    /**
     * Records step {@code step} from the current weights (read, not modified; only tracked names are used).
     *
     * @param evalAccuracy held-out accuracy at this step, or null when none was measured
     */
    public Snapshot record(long step, Map<String, NDArray> weights, double meanReward, Double evalAccuracy) {
        if (adapterSpace) {
            throw new IllegalStateException("this recorder reads LoRA adapters: use recordAdapters");
        }
        return record(step, meanReward, evalAccuracy, (name, warm) -> {
            NDArray w = weights.get(name);
            if (w == null) {
                throw new IllegalArgumentException("weights of step " + step + " lack tracked matrix '" + name + "'");
            }
            return StepScope.run(manager, scope -> {
                // fp32 masters are read in place: only ΔW is allocated
                NDArray current =
                        w.getDataType() == DataType.FLOAT32 ? w : scope.own(w.toType(DataType.FLOAT32, false));
                NDArray delta = scope.own(current.sub(base.get(name)));
                return rank1.top(delta, warm);
            });
        });
    }

    /**
     * Records step {@code step} from the current LoRA adapters (read, not modified): ΔW = s·B·A of each tracked
     * matrix, its triplet from the factors.
     *
     * @param evalAccuracy held-out accuracy at this step, or null when none was measured
     */
    public Snapshot recordAdapters(long step, LoraAdapters adapters, double meanReward, Double evalAccuracy) {
        if (!adapterSpace) {
            throw new IllegalStateException("this recorder reads W_t − W_0: use record");
        }
        Map<String, NDArray> tensors = adapters.tensors();
        return record(step, meanReward, evalAccuracy, (name, warm) -> {
            String module = name.substring(0, name.length() - WEIGHT_SUFFIX.length());
            LoraSpec.Module m = adapters.modules().get(module);
            if (m == null) {
                throw new IllegalArgumentException("the adapters of step " + step + " do not adapt '" + module + "'");
            }
            return rank1.topOfProduct(
                    tensors.get(LoraAdapters.nameOfB(module)), tensors.get(LoraAdapters.nameOfA(module)), m.scaling());
        });
    }

    private Snapshot record(
            long step, double meanReward, Double evalAccuracy, BiFunction<String, float[], TopTriplet> triplet) {
        if (!snapshots.isEmpty() && step <= last().step()) {
            throw new IllegalArgumentException(
                    "snapshot step " + step + " is not after the last one (" + last().step() + ")");
        }
        Snapshot previous = snapshots.isEmpty() ? null : last();
        Map<String, MatrixSnapshot> matrices = new LinkedHashMap<>();
        Map<String, float[]> nextWarmStarts = new LinkedHashMap<>();
        for (String name : tracked) {
            MatrixSnapshot before =
                    previous == null ? null : previous.matrices().get(name);
            TopTriplet raw = triplet.apply(name, warmStarts.get(name));
            if (raw.fallback()) {
                LOG.info(
                        "alpharl: {} at step {}: block Lanczos did not meet its tolerance in {} steps "
                                + "(sigma2/sigma1 = {}); the exact SVD was used",
                        name,
                        step,
                        raw.iterations(),
                        String.format(java.util.Locale.ROOT, "%.4f", raw.gapRatio()));
            }
            SignAlignment.Aligned aligned = SignAlignment.align(raw, before == null ? null : before.a());
            matrices.put(name, snapshotOf(aligned));
            nextWarmStarts.put(name, aligned.triplet().ritz());
        }
        warmStarts.putAll(nextWarmStarts);
        Snapshot s = new Snapshot(step, meanReward, evalAccuracy, matrices);
        snapshots.add(s);
        return s;
    }

    private static MatrixSnapshot snapshotOf(SignAlignment.Aligned aligned) {
        TopTriplet t = aligned.triplet();
        return new MatrixSnapshot(
                Vectors.toFloats(Vectors.scaled(t.u(), t.sigma1())),
                Vectors.toFloats(t.v()),
                t.sigma1(),
                t.sigma2(),
                t.frobenius(),
                aligned.overlap(),
                aligned.flipped(),
                t.method(),
                t.iterations(),
                true);
    }

    private Snapshot last() {
        return snapshots.get(snapshots.size() - 1);
    }

    /** Floats held by the snapshots (vectors plus scalars): Σ_snapshots Σ_matrices (d_out + d_in + 8). */
    public long storedFloats() {
        long n = 0;
        for (Snapshot s : snapshots) {
            for (MatrixSnapshot m : s.matrices().values()) {
                n += m.storedFloats();
            }
        }
        return n;
    }

    /** Writes the snapshots to {@code dir} atomically: {@code state.json} and {@code vectors.safetensors} (F32). */
    public void save(Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT_VERSION);
        root.put("space", adapterSpace ? ADAPTER_SPACE : WEIGHT_SPACE);
        ArrayNode names = root.putArray("matrices");
        tracked.forEach(names::add);
        ObjectNode norms = root.putObject("base_frobenius");
        baseNorms.forEach(norms::put);
        ArrayNode list = root.putArray("snapshots");
        SafetensorsWriter vectors = new SafetensorsWriter();
        for (int i = 0; i < snapshots.size(); i++) {
            Snapshot s = snapshots.get(i);
            ObjectNode node = list.addObject();
            node.put("step", s.step());
            node.put("mean_reward", s.meanReward());
            if (s.evalAccuracy() != null) {
                node.put("eval_accuracy", s.evalAccuracy());
            }
            ObjectNode ms = node.putObject("matrices");
            for (Map.Entry<String, MatrixSnapshot> e : s.matrices().entrySet()) {
                MatrixSnapshot m = e.getValue();
                ObjectNode mn = ms.putObject(e.getKey());
                mn.put("sigma1", m.sigma1());
                mn.put("sigma2", m.sigma2());
                mn.put("frobenius", m.frobenius());
                if (!Double.isNaN(m.overlap())) {
                    mn.put("overlap", m.overlap());
                }
                mn.put("flipped", m.flipped());
                mn.put("method", m.method().name());
                mn.put("iterations", m.iterations());
                mn.put("converged", m.converged());
                vectors.add(vectorName(i, e.getKey(), "a"), m.a(), new long[] {m.a().length}, SafetensorsDtype.F32);
                vectors.add(vectorName(i, e.getKey(), "v"), m.v(), new long[] {m.v().length}, SafetensorsDtype.F32);
            }
        }
        warmStarts.forEach((name, w) -> {
            int cols = last().matrices().get(name).v().length;
            vectors.add(WARM_PREFIX + name, w, new long[] {w.length / cols, cols}, SafetensorsDtype.F32);
        });
        AtomicDirectory.write(dir, tmp -> {
            JSON.writerWithDefaultPrettyPrinter()
                    .writeValue(tmp.resolve(STATE_FILE).toFile(), root);
            vectors.write(tmp.resolve(VECTORS_FILE));
        });
    }

    /**
     * A recorder over {@code baseWeights} holding the snapshots saved in {@code dir}.
     *
     * @throws IOException when the directory is unreadable or its state does not belong to these base weights
     */
    public static SnapshotRecorder load(Path dir, Map<String, NDArray> baseWeights, Rank1 rank1, NDManager parent)
            throws IOException {
        return load(dir, baseWeights, false, rank1, parent);
    }

    /** Whether the recorder state in {@code dir} was recorded from LoRA adapters ({@link #forAdapters}). */
    public static boolean savedFromAdapters(Path dir) throws IOException {
        Path stateFile = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile)) {
            throw new IOException(dir + ": no " + STATE_FILE + " (not an AlphaRL snapshot directory)");
        }
        return ADAPTER_SPACE.equals(
                JSON.readTree(stateFile.toFile()).path("space").asText(WEIGHT_SPACE));
    }

    /**
     * A recorder of LoRA updates ({@link #forAdapters}) holding the snapshots saved in {@code dir}.
     *
     * @throws IOException when the directory is unreadable or holds a recorder of full weights
     */
    public static SnapshotRecorder loadAdapters(Path dir, Rank1 rank1, NDManager parent) throws IOException {
        return load(dir, null, true, rank1, parent);
    }

    private static SnapshotRecorder load(
            Path dir, Map<String, NDArray> baseWeights, boolean adapters, Rank1 rank1, NDManager parent)
            throws IOException {
        Path stateFile = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile)) {
            throw new IOException(dir + ": no " + STATE_FILE + " (not an AlphaRL snapshot directory)");
        }
        JsonNode root = JSON.readTree(stateFile.toFile());
        if (root.path("format").asInt() != FORMAT_VERSION) {
            throw new IOException(
                    stateFile + ": unsupported format " + root.path("format") + ", expected " + FORMAT_VERSION);
        }
        boolean savedAdapters = ADAPTER_SPACE.equals(root.path("space").asText(WEIGHT_SPACE));
        if (savedAdapters != adapters) {
            throw new IOException(stateFile + ": recorded from " + (savedAdapters ? "LoRA adapters" : "full weights")
                    + ", cannot continue from " + (adapters ? "LoRA adapters" : "full weights"));
        }
        List<String> names = new ArrayList<>();
        if (root.has("matrices")) {
            root.path("matrices").forEach(n -> names.add(n.asText()));
        } else {
            root.path("base_frobenius").fieldNames().forEachRemaining(names::add);
        }
        SnapshotRecorder recorder =
                adapters ? forAdapters(names, rank1, parent) : new SnapshotRecorder(baseWeights, names, rank1, parent);
        try (SafetensorsFile vectors = SafetensorsFile.open(dir.resolve(VECTORS_FILE))) {
            for (String name : recorder.baseNorms.keySet()) {
                double saved = root.path("base_frobenius").path(name).asDouble();
                double actual = recorder.baseNorms.get(name);
                if (Math.abs(saved - actual) > BASE_NORM_TOLERANCE * Math.max(saved, 1e-30)) {
                    throw new IOException(stateFile + ": recorded for a different base model (‖W_0‖_F of '" + name
                            + "' is " + saved + ", the given base has " + actual + ")");
                }
            }
            JsonNode list = root.path("snapshots");
            for (int i = 0; i < list.size(); i++) {
                JsonNode node = list.get(i);
                Map<String, MatrixSnapshot> ms = new LinkedHashMap<>();
                for (String name : names) {
                    JsonNode mn = node.path("matrices").path(name);
                    if (mn.isMissingNode()) {
                        throw new IOException(stateFile + ": snapshot " + i + " lacks matrix '" + name + "'");
                    }
                    ms.put(
                            name,
                            new MatrixSnapshot(
                                    vectors.readFloats(vectorName(i, name, "a")),
                                    vectors.readFloats(vectorName(i, name, "v")),
                                    mn.path("sigma1").asDouble(),
                                    mn.path("sigma2").asDouble(),
                                    mn.path("frobenius").asDouble(),
                                    mn.has("overlap") ? mn.get("overlap").asDouble() : Double.NaN,
                                    mn.path("flipped").asBoolean(),
                                    TopTriplet.Method.parse(mn.path("method").asText()),
                                    mn.path("iterations").asInt(),
                                    mn.path("converged").asBoolean()));
                }
                Double eval =
                        node.has("eval_accuracy") ? node.get("eval_accuracy").asDouble() : null;
                recorder.snapshots.add(new Snapshot(
                        node.path("step").asLong(), node.path("mean_reward").asDouble(), eval, ms));
            }
            for (String name : names) {
                if (vectors.names().contains(WARM_PREFIX + name)) {
                    recorder.warmStarts.put(name, vectors.readFloats(WARM_PREFIX + name));
                }
            }
        } catch (IOException | RuntimeException e) {
            recorder.close();
            throw e instanceof IOException io ? io : new IOException(dir + ": " + e.getMessage(), e);
        }
        return recorder;
    }

    private static String vectorName(int snapshot, String matrix, String which) {
        return snapshot + "/" + matrix + "/" + which;
    }

    @Override
    public void close() {
        manager.close();
    }
}
