package dev.alpharl.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.ModelFormatException;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import dev.alpharl.trainer.tensor.safetensors.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints of a run: {@code checkpoints/step-000040/} holds the policy in Hugging Face layout (fp32, so a resume
 * continues from the exact weights) and {@code trainer-state/} with everything else a resume needs — a JSON state
 * (step, data cursor, KL coefficient, totals, ...) and named tensor files (optimizer moments, critic). Each
 * checkpoint is written atomically ({@link AtomicDirectory}); only the newest {@code keep} are kept.
 */
public final class TrainerCheckpoint {

    public static final String DIR = "checkpoints";
    public static final String STATE_DIR = "trainer-state";
    public static final String STATE_FILE = "state.json";
    private static final Pattern NAME = Pattern.compile("step-(\\d{6,})");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainerCheckpoint() {}

    /** Extra content of {@code trainer-state/}: tensor groups by file stem and sub-directories written by others. */
    public interface StateWriter {
        void writeInto(Path stateDir) throws IOException;
    }

    /**
     * Writes checkpoint {@code step} of {@code runDir}: the policy (HF layout, tokenizer files from
     * {@code tokenizerDir}), {@code state} as JSON, each tensor group as {@code <name>.safetensors}, then anything
     * {@code extra} writes; finally prunes older checkpoints beyond {@code keep} (0 keeps all).
     */
    public static Path save(
            Path runDir,
            long step,
            QwenModel policy,
            Path tokenizerDir,
            Map<String, Object> state,
            Map<String, Map<String, NDArray>> tensors,
            StateWriter extra,
            int keep) {
        Path dir = runDir.resolve(DIR).resolve(String.format("step-%06d", step));
        try {
            AtomicDirectory.write(dir, tmp -> {
                Path model = tmp.resolve("model");
                HfCheckpoint.save(policy, model, SafetensorsDtype.F32, tokenizerDir);
                // the HF files sit at the top of the checkpoint, as users expect to load it directly
                try (Stream<Path> files = Files.list(model)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.move(f, tmp.resolve(f.getFileName()));
                    }
                }
                Files.delete(model);
                Path stateDir = Files.createDirectory(tmp.resolve(STATE_DIR));
                for (Map.Entry<String, Map<String, NDArray>> group : tensors.entrySet()) {
                    SafetensorsWriter w = new SafetensorsWriter();
                    group.getValue().forEach(w::add);
                    w.write(stateDir.resolve(group.getKey() + ".safetensors"));
                }
                if (extra != null) {
                    extra.writeInto(stateDir);
                }
                // written last: a state.json means the checkpoint is complete
                JSON.writeValue(stateDir.resolve(STATE_FILE).toFile(), state);
            });
            prune(runDir, keep);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The newest complete checkpoint of a run, if any (temporaries and directories without a state are ignored). */
    public static Optional<Path> latest(Path runDir) {
        return list(runDir).stream().reduce((a, b) -> b);
    }

    /** Complete checkpoints, oldest first. */
    public static List<Path> list(Path runDir) {
        Path dir = runDir.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_DIR).resolve(STATE_FILE)))
                    .sorted(Comparator.comparingLong(TrainerCheckpoint::stepOf))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The step a checkpoint directory holds. */
    public static long stepOf(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(checkpoint + " is not a checkpoint directory (step-NNNNNN)");
        }
        return Long.parseLong(m.group(1));
    }

    /** Reads the JSON state of a checkpoint. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readState(Path checkpoint) {
        Path file = checkpoint.resolve(STATE_DIR).resolve(STATE_FILE);
        try {
            return JSON.readValue(file.toFile(), LinkedHashMap.class);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": unreadable trainer state: " + e.getMessage(), e);
        }
    }

    /** Loads a tensor group saved by {@link #save} into {@code manager}. */
    public static Map<String, NDArray> readTensors(Path checkpoint, String group, NDManager manager) {
        Path file = checkpoint.resolve(STATE_DIR).resolve(group + ".safetensors");
        try (TensorSource source = TensorSource.open(file)) {
            return source.loadAll(manager);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private static void prune(Path runDir, int keep) throws IOException {
        if (keep <= 0) {
            return;
        }
        List<Path> all = new ArrayList<>(list(runDir));
        for (int i = 0; i < all.size() - keep; i++) {
            AtomicDirectory.deleteRecursively(all.get(i));
        }
    }
}
