package dev.alpharl.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.ModelFormatException;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints of a run: {@code checkpoints/step-000040/} holds the policy in Hugging Face layout (fp32, so a resume
 * continues from the exact weights; a LoRA run's holds its PEFT adapter instead) and {@code trainer-state/} with everything else a resume needs: each
 * {@link Checkpointable} part's typed JSON entry in {@code state.json} (step and totals, data cursor, KL
 * coefficient, ...), its tensor files (optimizer moments, critic) and its own directory (AlphaRL). Each
 * checkpoint is written atomically ({@link AtomicDirectory}); only the newest {@code keep} are kept.
 */
public final class TrainerCheckpoint {

    public static final String DIR = "checkpoints";
    public static final String STATE_DIR = "trainer-state";
    public static final String STATE_FILE = "state.json";
    private static final Pattern NAME = Pattern.compile("step-(\\d{6,})");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainerCheckpoint() {}

    /** The layout of {@code trainer-state/}: one typed JSON entry per part, keyed by the part. */
    public static final int FORMAT = 2;

    /**
     * Writes checkpoint {@code step} of {@code runDir}: the policy (HF layout, tokenizer files from
     * {@code tokenizerDir}) and every part's state ({@link Checkpointable}); finally prunes older checkpoints beyond
     * {@code keep} (0 keeps all).
     */
    public static Path save(
            Path runDir, long step, QwenModel policy, Path tokenizerDir, List<Checkpointable> parts, int keep) {
        return save(
                runDir, step, dir -> HfCheckpoint.save(policy, dir, SafetensorsDtype.F32, tokenizerDir), parts, keep);
    }

    /**
     * {@link #save(Path, long, QwenModel, Path, List, int)} with the policy's files written by {@code policyWriter}
     * (given a directory path to create, e.g. {@code PolicyFiles.save}: HF layout, or a LoRA run's PEFT adapter).
     */
    public static Path save(Path runDir, long step, Consumer<Path> policyWriter, List<Checkpointable> parts, int keep) {
        Path dir = runDir.resolve(DIR).resolve(String.format("step-%06d", step));
        try {
            AtomicDirectory.write(dir, tmp -> {
                Path model = tmp.resolve("model");
                policyWriter.accept(model);
                // the model files sit at the top of the checkpoint, as users expect to load it directly
                try (Stream<Path> files = Files.list(model)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.move(f, tmp.resolve(f.getFileName()));
                    }
                }
                Files.delete(model);
                Path stateDir = Files.createDirectory(tmp.resolve(STATE_DIR));
                ObjectNode state = JSON.createObjectNode();
                state.put("format", FORMAT);
                for (Checkpointable part : parts) {
                    if (part.stateKey() == null) {
                        continue;
                    }
                    StateWriter w = new StateWriter(stateDir, part.stateKey());
                    part.saveState(w);
                    if (w.jsonValue() != null) {
                        state.set(part.stateKey(), JSON.valueToTree(w.jsonValue()));
                    }
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

    /** Restores every part's state from {@code checkpoint} (the policy weights are the caller's). */
    public static void restore(Path checkpoint, List<Checkpointable> parts) throws IOException {
        Path stateDir = checkpoint.resolve(STATE_DIR);
        Path file = stateDir.resolve(STATE_FILE);
        JsonNode state;
        try {
            state = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file + ": unreadable trainer state: " + e.getMessage(), e);
        }
        if (state.path("format").asInt() != FORMAT) {
            throw new ModelFormatException(file + ": trainer state format " + state.path("format") + ", this version "
                    + "reads format " + FORMAT + " (the checkpoint was written by an older version: start a new run or "
                    + "resume it with the version that wrote it)");
        }
        for (Checkpointable part : parts) {
            if (part.stateKey() != null) {
                part.restoreState(
                        new StateReader(checkpoint, stateDir, part.stateKey(), state.path(part.stateKey()), JSON));
            }
        }
    }

    /** The tensor file of a part's group: {@code <key>.safetensors} or {@code <key>-<suffix>.safetensors}. */
    static String tensorFile(String key, String suffix) {
        return (suffix.isEmpty() ? key : key + "-" + suffix) + ".safetensors";
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
