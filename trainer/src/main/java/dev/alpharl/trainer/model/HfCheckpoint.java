package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import dev.alpharl.trainer.tensor.safetensors.TensorSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face model directories in and out (QWEN.md §3–§4): {@code config.json}, {@code model.safetensors} or a
 * sharded index, and the tokenizer files, which are copied verbatim. Tied checkpoints may or may not carry
 * {@code lm_head.weight} (Qwen3 post-trained files do): when tied, the embedding is the head and any file copy is
 * ignored, as Hugging Face does. Saved directories load in transformers' {@code from_pretrained}.
 */
public final class HfCheckpoint {

    /** Files copied verbatim from the source model directory when present. */
    public static final List<String> TOKENIZER_FILES = List.of(
            "tokenizer.json",
            "tokenizer_config.json",
            "vocab.json",
            "merges.txt",
            "special_tokens_map.json",
            "added_tokens.json",
            "chat_template.jinja",
            "generation_config.json");

    /** 5 GB shards, as Hugging Face's {@code save_pretrained} default max_shard_size. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IGNORED_SUFFIXES = Set.of("rotary_emb.inv_freq");

    private HfCheckpoint() {}

    /** Loads the model of a local HF directory with fp32 master weights (bf16/fp16 files are widened). */
    public static QwenModel load(Path dir, NDManager parent) {
        return load(dir, DataType.FLOAT32, parent);
    }

    /** Loads with fp32 master weights whose linear layers compute in {@code precision}. */
    public static QwenModel load(Path dir, NDManager parent, QwenModel.Precision precision) {
        return load(dir, DataType.FLOAT32, parent, precision);
    }

    /** Loads with weights converted to {@code dtype} (FLOAT32, or FLOAT64 for gradient checks). */
    public static QwenModel load(Path dir, DataType dtype, NDManager parent) {
        return load(dir, dtype, parent, QwenModel.Precision.FP32);
    }

    /**
     * Loads with weights converted to {@code dtype}, computing in {@code precision}. Each tensor goes from the file
     * to its native array in {@code dtype} with the conversion on the way ({@link TensorSource#load(String,
     * NDManager, DataType)}); no weight passes through the Java heap or a direct buffer.
     */
    public static QwenModel load(Path dir, DataType dtype, NDManager parent, QwenModel.Precision precision) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir + ": not a directory (expected a Hugging Face model directory)");
        }
        QwenConfig config = QwenConfig.read(dir);
        Map<String, ai.djl.ndarray.types.Shape> expected = QwenModel.expectedShapes(config);
        try (TensorSource source = TensorSource.open(dir);
                NDManager staging = parent.newSubManager()) {
            for (String name : source.names()) {
                boolean known = expected.containsKey(name)
                        || name.equals("lm_head.weight")
                        || IGNORED_SUFFIXES.stream().anyMatch(name::endsWith);
                if (!known) {
                    throw new ModelFormatException(dir + ": unexpected tensor '" + name + "' for model_type "
                            + config.modelType() + " with " + config.numLayers() + " layers");
                }
            }
            Map<String, NDArray> weights = new LinkedHashMap<>();
            for (String name : expected.keySet()) {
                if (!source.names().contains(name)) {
                    throw new ModelFormatException(dir + ": tensor '" + name + "' is missing from the weights"
                            + (name.equals("lm_head.weight") ? " (tie_word_embeddings is false)" : ""));
                }
                SafetensorsDtype stored = source.entry(name).dtype();
                if (!stored.isFloatingPoint()) {
                    throw new ModelFormatException(
                            dir + ": tensor '" + name + "' has dtype " + stored + ", expected a floating-point type");
                }
                NDArray w = source.load(name, staging, dtype); // converted on the way in, one tensor at a time
                requireFinite(w, name, source);
                weights.put(name, w);
            }
            try {
                return QwenModel.of(config, weights, parent, precision);
            } catch (ModelFormatException e) {
                throw new ModelFormatException(dir + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new ModelFormatException(e.getMessage(), e);
        }
    }

    /**
     * Refuses a tensor holding NaN or ±Inf: such weights would turn every forward pass, and then every update, into
     * NaN. One native reduction per tensor (a sum is finite only when every element is, barring overflow); the
     * exact count is computed only for a tensor whose sum is not finite, and an overflowed sum of finite values
     * passes.
     */
    static void requireFinite(NDArray w, String name, TensorSource source) throws IOException {
        try (NDManager scratch = w.getManager().newSubManager()) {
            NDArray sum = w.sum();
            sum.attach(scratch);
            if (Double.isFinite(sum.toType(DataType.FLOAT64, false).getDouble())) {
                return;
            }
            NDArray nan = w.isNaN();
            nan.attach(scratch);
            NDArray inf = w.isInfinite();
            inf.attach(scratch);
            long nans = nan.countNonzero().getLong();
            long infs = inf.countNonzero().getLong();
            if (nans + infs == 0) {
                return;
            }
            throw new ModelFormatException(source.entry(name).file() + ": tensor '" + name
                    + "' holds non-finite values ("
                    + nans + " NaN and " + infs + " Inf of " + w.size() + " elements); a model with NaN/Inf weights "
                    + "cannot be trained or sampled");
        }
    }

    /**
     * Writes {@code model} as a Hugging Face directory, atomically (a crash leaves the previous directory or none).
     *
     * @param storeAs   F32 or BF16 (round to nearest even)
     * @param copyFrom  a directory whose tokenizer and generation files are copied verbatim, or null
     */
    public static void save(QwenModel model, Path dir, SafetensorsDtype storeAs, Path copyFrom) {
        try {
            AtomicDirectory.write(dir, tmp -> {
                for (String f : TOKENIZER_FILES) {
                    if (copyFrom != null && Files.isRegularFile(copyFrom.resolve(f))) {
                        Files.copy(copyFrom.resolve(f), tmp.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                ObjectNode config = model.config().raw().deepCopy();
                config.put(
                        "torch_dtype",
                        storeAs == SafetensorsDtype.BF16
                                ? "bfloat16"
                                : storeAs == SafetensorsDtype.F16 ? "float16" : "float32");
                JSON.writerWithDefaultPrettyPrinter()
                        .writeValue(tmp.resolve("config.json").toFile(), config);
                if (!Files.exists(tmp.resolve("generation_config.json"))) {
                    ObjectNode gen = JSON.createObjectNode();
                    if (config.has("bos_token_id")) {
                        gen.set("bos_token_id", config.get("bos_token_id"));
                    }
                    if (config.has("eos_token_id")) {
                        gen.set("eos_token_id", config.get("eos_token_id"));
                    }
                    JSON.writerWithDefaultPrettyPrinter()
                            .writeValue(tmp.resolve("generation_config.json").toFile(), gen);
                }
                SafetensorsWriter writer = new SafetensorsWriter();
                model.weights().forEach((name, w) -> writer.add(name, w, storeAs));
                writer.writeCheckpoint(tmp, DEFAULT_MAX_SHARD_BYTES);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
