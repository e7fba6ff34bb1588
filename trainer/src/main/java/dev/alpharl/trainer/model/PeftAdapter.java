package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsFile;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * LoRA adapters in Hugging Face PEFT's directory layout (docs/LORA.md §3): {@code adapter_config.json} (a
 * {@code LoraConfig}: peft_type LORA, task_type CAUSAL_LM, r, lora_alpha, lora_dropout, target_modules, use_rslora,
 * rank_pattern, alpha_pattern, ...) and {@code adapter_model.safetensors} with tensors
 * {@code base_model.model.<module>.lora_A.weight} [r, in] and {@code ….lora_B.weight} [out, r] (no adapter name),
 * which PEFT's {@code PeftModel.from_pretrained} and vLLM load. Reading honours what changes W + s·B·A (r,
 * lora_alpha, lora_dropout, use_rslora, target_modules as list or string, exclude_modules, rank_pattern,
 * alpha_pattern; missing keys take PEFT's defaults) and refuses, naming the file and the key, whatever this trainer
 * cannot reproduce: DoRA, modules_to_save, trained biases, fan_in_fan_out, layer selection or replication, target
 * parameters, trainable tokens, and initialisations that rewrite the base weights (PiSSA, OLoRA, CorDA, LoftQ).
 */
public final class PeftAdapter {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftAdapter() {}

    /** Whether {@code dir} holds an adapter config. */
    public static boolean isAdapterDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG_FILE));
    }

    // ---- writing

    /** Writes {@code adapters} as a PEFT adapter directory {@code dir}, atomically (replacing an existing one). */
    public static void save(LoraAdapters adapters, Path dir, String baseModel) {
        try {
            AtomicDirectory.write(dir, tmp -> writeInto(adapters, tmp, baseModel));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write adapter directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes the two adapter files into the existing directory {@code dir}; tensors in fp32. */
    public static void writeInto(LoraAdapters adapters, Path dir, String baseModel) throws IOException {
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve(CONFIG_FILE).toFile(), configJson(adapters.spec(), baseModel));
        SafetensorsWriter writer = new SafetensorsWriter();
        adapters.tensors().forEach((name, a) -> writer.add(name, a, SafetensorsDtype.F32));
        writer.write(dir.resolve(WEIGHTS_FILE));
    }

    /** The adapter_config.json of {@code spec}: PEFT's LoraConfig fields, the unsupported ones at their defaults. */
    static ObjectNode configJson(LoraSpec spec, String baseModel) {
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModel);
        c.put("r", spec.r());
        putNumber(c, "lora_alpha", spec.alpha());
        c.put("lora_dropout", spec.dropout());
        if (spec.targetRegex() != null) {
            c.put("target_modules", spec.targetRegex());
        } else {
            ArrayNode targets = c.putArray("target_modules");
            spec.targetModules().forEach(targets::add);
        }
        if (spec.excludeRegex() != null) {
            c.put("exclude_modules", spec.excludeRegex());
        } else if (spec.excludeModules() != null) {
            ArrayNode excluded = c.putArray("exclude_modules");
            spec.excludeModules().forEach(excluded::add);
        }
        c.put("use_rslora", spec.useRslora());
        ObjectNode ranks = c.putObject("rank_pattern");
        spec.rankPattern().forEach(ranks::put);
        ObjectNode alphas = c.putObject("alpha_pattern");
        spec.alphaPattern().forEach((k, v) -> putNumber(alphas, k, v));
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.putNull("modules_to_save");
        c.put("use_dora", false);
        c.put("init_lora_weights", true);
        c.putNull("layers_to_transform");
        c.putNull("layers_pattern");
        c.put("inference_mode", true);
        c.putNull("revision");
        return c;
    }

    /** An integral alpha as an integer (PEFT types lora_alpha as int), otherwise as a number. */
    private static void putNumber(ObjectNode o, String key, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            o.put(key, (long) v);
        } else {
            o.put(key, v);
        }
    }

    // ---- reading

    /**
     * The adapter spec of {@code dir}'s adapter_config.json. Throws {@link ModelFormatException} (exit code 2) naming
     * the file and key for anything unreadable or unsupported.
     */
    public static LoraSpec readSpec(Path dir) {
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(dir + ": not a PEFT adapter directory (no " + CONFIG_FILE + ")");
        }
        JsonNode c;
        try {
            c = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file + ": unreadable JSON: " + e.getMessage(), e);
        }
        if (c == null || !c.isObject()) {
            throw new ModelFormatException(file + ": expected a JSON object");
        }
        String peftType = text(c, "peft_type", null);
        if (!"LORA".equals(peftType)) {
            throw new ModelFormatException(file + ": peft_type is " + (peftType == null ? "missing" : peftType)
                    + "; only LORA adapters are supported");
        }
        String task = text(c, "task_type", null);
        if (task != null && !task.equals("CAUSAL_LM")) {
            throw new ModelFormatException(
                    file + ": task_type " + task + " is not supported; a Qwen policy takes CAUSAL_LM adapters");
        }
        refuseUnsupported(c, file);
        try {
            return new LoraSpec(
                    integer(c, "r", 8, file),
                    number(c, "lora_alpha", 8, file),
                    number(c, "lora_dropout", 0, file),
                    names(c, "target_modules", file, LoraSpec.QWEN_DEFAULT_TARGETS),
                    regex(c, "target_modules", file),
                    names(c, "exclude_modules", file, null),
                    regex(c, "exclude_modules", file),
                    bool(c, "use_rslora", file),
                    ranks(c, file),
                    alphas(c, file));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /** The fields that change the model beyond W + s·B·A, refused unless at PEFT's defaults. */
    private static void refuseUnsupported(JsonNode c, Path file) {
        if (c.path("use_dora").asBoolean(false)) {
            throw unsupported(file, "use_dora", "DoRA (weight-decomposed LoRA) is not supported");
        }
        if (isSet(c.get("modules_to_save"))) {
            throw unsupported(file, "modules_to_save", "fully trained extra modules are not supported");
        }
        String bias = text(c, "bias", "none");
        if (!bias.equals("none")) {
            throw unsupported(file, "bias", "is \"" + bias + "\": trained biases are not supported (only \"none\")");
        }
        if (c.path("fan_in_fan_out").asBoolean(false)) {
            throw unsupported(file, "fan_in_fan_out", "is true: Conv1D-style [in, out] weights are not supported");
        }
        if (c.path("lora_bias").asBoolean(false)) {
            throw unsupported(file, "lora_bias", "is true: a bias on lora_B is not supported");
        }
        if (c.path("use_qalora").asBoolean(false)) {
            throw unsupported(file, "use_qalora", "is true: QA-LoRA is not supported");
        }
        for (String key : List.of(
                "layers_to_transform",
                "layer_replication",
                "target_parameters",
                "trainable_token_indices",
                "alora_invocation_tokens")) {
            if (isSet(c.get(key))) {
                throw unsupported(
                        file,
                        key,
                        "is set: not supported (the adapter must target whole modules of "
                                + "every layer it names through target_modules)");
            }
        }
        JsonNode init = c.get("init_lora_weights");
        if (init != null && init.isTextual()) {
            String kind = init.asText().toLowerCase(Locale.ROOT);
            for (String rewrites : List.of("pissa", "olora", "corda", "loftq")) {
                if (kind.startsWith(rewrites)) {
                    throw unsupported(
                            file,
                            "init_lora_weights",
                            "is \"" + init.asText() + "\": this initialisation"
                                    + " rewrites the base weights, which an adapter file does not carry (convert it to a plain"
                                    + " LoRA adapter with PEFT's path_initial_model_for_weight_conversion)");
                }
            }
        }
    }

    private static ModelFormatException unsupported(Path file, String key, String why) {
        return new ModelFormatException(file + ": " + key + " " + why);
    }

    /** Whether a JSON value is present and not null, false, an empty list or an empty object. */
    private static boolean isSet(JsonNode v) {
        return v != null && !v.isNull() && !(v.isBoolean() && !v.asBoolean()) && !(v.isContainerNode() && v.isEmpty());
    }

    private static String text(JsonNode c, String key, String fallback) {
        JsonNode v = c.get(key);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    private static int integer(JsonNode c, String key, int fallback, Path file) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new ModelFormatException(file + ": " + key + " must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode c, String key, double fallback, Path file) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new ModelFormatException(file + ": " + key + " must be a number, got " + v);
        }
        return v.asDouble();
    }

    private static boolean bool(JsonNode c, String key, Path file) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new ModelFormatException(file + ": " + key + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    /** The list form of a target_modules-like key (null when it is a string); {@code fallback} when absent. */
    private static List<String> names(JsonNode c, String key, Path file, List<String> fallback) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isTextual()) {
            return null;
        }
        if (!v.isArray()) {
            throw new ModelFormatException(file + ": " + key + " must be a list of names or a string, got " + v);
        }
        List<String> out = new ArrayList<>();
        v.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The string (regex) form of a target_modules-like key, or null. */
    private static String regex(JsonNode c, String key, Path file) {
        JsonNode v = c.get(key);
        if (v == null || !v.isTextual()) {
            return null;
        }
        try {
            java.util.regex.Pattern.compile(v.asText());
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new ModelFormatException(
                    file + ": " + key + " \"" + v.asText() + "\" is not a valid regular expression: "
                            + e.getDescription(),
                    e);
        }
        return v.asText();
    }

    private static Map<String, Integer> ranks(JsonNode c, Path file) {
        Map<String, Integer> out = new LinkedHashMap<>();
        JsonNode v = c.get("rank_pattern");
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw new ModelFormatException(file + ": rank_pattern must be an object of name → rank, got " + v);
        }
        v.fields().forEachRemaining(e -> {
            if (!e.getValue().isIntegralNumber() || e.getValue().asInt() < 1) {
                throw new ModelFormatException(
                        file + ": rank_pattern." + e.getKey() + " must be a positive integer, got " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asInt());
        });
        return out;
    }

    private static Map<String, Double> alphas(JsonNode c, Path file) {
        Map<String, Double> out = new LinkedHashMap<>();
        JsonNode v = c.get("alpha_pattern");
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isObject()) {
            throw new ModelFormatException(file + ": alpha_pattern must be an object of name → alpha, got " + v);
        }
        v.fields().forEachRemaining(e -> {
            if (!e.getValue().isNumber()) {
                throw new ModelFormatException(
                        file + ": alpha_pattern." + e.getKey() + " must be a number, got " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().asDouble());
        });
        return out;
    }

    /**
     * Loads {@code dir}'s adapter for a model of {@code config}: fp32 adapters on a manager of their own under
     * {@code parent}, with {@code spec} (from {@link #readSpec}, possibly with another dropout). Every tensor name
     * and shape is checked against what the spec selects in the model.
     */
    public static LoraAdapters load(Path dir, LoraSpec spec, QwenConfig config, long seed, NDManager parent) {
        Path file = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(file)) {
            boolean pickle = Files.isRegularFile(dir.resolve("adapter_model.bin"));
            throw new ModelFormatException(dir + ": no " + WEIGHTS_FILE
                    + (pickle ? " (adapter_model.bin, a PyTorch pickle, is not read: save it with safetensors)" : ""));
        }
        try {
            spec.resolve(config);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(dir.resolve(CONFIG_FILE) + ": target_modules: " + e.getMessage(), e);
        }
        try (SafetensorsFile source = SafetensorsFile.open(file);
                NDManager staging = parent.newSubManager()) {
            Map<String, NDArray> tensors = source.loadAll(staging);
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                HfCheckpoint.requireFinite(e.getValue(), e.getKey(), source);
            }
            return LoraAdapters.of(spec, config, tensors, seed, DataType.FLOAT32, parent);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code base} with {@code dir}'s adapter attached: a model that takes over the base's arrays (the base object is
     * closed and must not be used again), computing in the base's precision. {@code dropout} (null: the file's)
     * replaces lora_dropout.
     */
    public static QwenModel attach(QwenModel base, Path dir, Double dropout, long seed, NDManager parent) {
        LoraSpec spec = readSpec(dir);
        if (dropout != null) {
            spec = spec.withDropout(dropout);
        }
        LoraAdapters adapters;
        try {
            adapters = load(dir, spec, base.config(), seed, parent);
        } catch (RuntimeException e) {
            base.close();
            throw e;
        }
        return adoptBase(base, adapters, parent);
    }

    /**
     * The merged model of {@code adapted}: every adapted projection's weight replaced by W + s·B·A (computed in the
     * base's dtype), every other weight moved over; {@code adapted} is closed. What {@code export} writes.
     */
    public static QwenModel merge(QwenModel adapted, NDManager parent) {
        if (adapted.precision() != QwenModel.Precision.FP32) {
            // a bf16-held base cannot go through DJL's own arithmetic (docs/DJL.md, pitfall 1)
            throw new IllegalArgumentException("merge an fp32-precision model, not " + adapted.precision());
        }
        LoraAdapters adapters = adapted.adapters();
        Map<String, NDArray> merged = new LinkedHashMap<>();
        try (NDManager scratch = parent.newSubManager()) {
            for (Map.Entry<String, NDArray> e : adapted.weights().entrySet()) {
                String module = e.getKey().substring(0, e.getKey().length() - ".weight".length());
                boolean adaptedMatrix = e.getKey().endsWith(".weight") && adapters.adapts(module);
                merged.put(e.getKey(), adaptedMatrix ? adapters.merged(module, e.getValue(), scratch) : e.getValue());
            }
            QwenModel out = QwenModel.of(adapted.config(), merged, parent, adapted.precision());
            adapted.close(); // frees the adapters and the replaced matrices
            return out;
        }
    }

    /** A model over {@code base}'s arrays (moved, not copied; {@code base} is closed) carrying {@code adapters}. */
    public static QwenModel adoptBase(QwenModel base, LoraAdapters adapters, NDManager parent) {
        QwenModel adapted =
                QwenModel.of(base.config(), new LinkedHashMap<>(base.weights()), parent, base.precision(), adapters);
        base.close(); // its manager no longer holds the weights
        return adapted;
    }
}
