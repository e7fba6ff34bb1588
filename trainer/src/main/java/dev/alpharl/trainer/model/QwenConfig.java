package dev.alpharl.trainer.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of a Qwen2 / Qwen2.5 / Qwen3 dense decoder, read from a Hugging Face {@code config.json}
 * (QWEN.md §2). Qwen2 has q/k/v biases and head_dim = hidden/heads; Qwen3 has no biases, per-head q/k RMSNorm and
 * an explicit head_dim. The original JSON is kept so that a saved checkpoint carries every field the user had.
 */
public record QwenConfig(
        String modelType,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        double rmsNormEps,
        double ropeTheta,
        boolean tieWordEmbeddings,
        int maxPositionEmbeddings,
        List<Long> eosTokenIds,
        ObjectNode raw) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public QwenConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (numHeads % numKvHeads != 0) {
            throw new ModelFormatException("num_attention_heads (" + numHeads + ") must be a multiple of "
                    + "num_key_value_heads (" + numKvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new ModelFormatException("head_dim must be even for rotary embeddings, got " + headDim);
        }
    }

    /** True for Qwen3 (QK-norm, no attention biases). */
    public boolean isQwen3() {
        return modelType.equals("qwen3");
    }

    /** Qwen2/2.5 attention projections q, k, v carry biases (hard-coded in HF; there is no flag). */
    public boolean hasQkvBias() {
        return !isQwen3();
    }

    /** Query heads per KV head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Reads {@code dir/config.json}. */
    public static QwenConfig read(Path dir) {
        Path file = dir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file + ": missing (a Hugging Face model directory needs config.json)");
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (!(node instanceof ObjectNode obj)) {
                throw new ModelFormatException(file + ": expected a JSON object");
            }
            return fromJson(obj, file.toString());
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Parses a config.json object; {@code source} names it in error messages. */
    public static QwenConfig fromJson(ObjectNode json, String source) {
        String type = text(json, "model_type", source);
        if (!type.equals("qwen2") && !type.equals("qwen3")) {
            throw new ModelFormatException(
                    source + ": model_type '" + type + "' is not supported (expected qwen2 or qwen3)");
        }
        if (json.path("use_sliding_window").asBoolean(false)) {
            throw new ModelFormatException(
                    source + ": use_sliding_window=true is not supported (every released Qwen2/3 "
                            + "dense checkpoint has it false)");
        }
        JsonNode scaling = json.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            throw new ModelFormatException(source + ": rope_scaling is not supported (expected null)");
        }
        int hidden = positiveInt(json, "hidden_size", source);
        int heads = positiveInt(json, "num_attention_heads", source);
        int kvHeads = json.has("num_key_value_heads") ? positiveInt(json, "num_key_value_heads", source) : heads;
        int headDim = json.hasNonNull("head_dim") ? positiveInt(json, "head_dim", source) : hidden / heads;
        if (!json.hasNonNull("head_dim") && hidden % heads != 0) {
            throw new ModelFormatException(source + ": hidden_size " + hidden
                    + " is not divisible by num_attention_heads " + heads + " and head_dim is absent");
        }
        double theta;
        if (json.hasNonNull("rope_theta")) {
            theta = json.get("rope_theta").asDouble();
        } else if (json.path("rope_parameters").hasNonNull("rope_theta")) {
            theta = json.get("rope_parameters").get("rope_theta").asDouble();
        } else {
            theta = 10000.0;
        }
        List<Long> eos = new ArrayList<>();
        JsonNode e = json.get("eos_token_id");
        if (e != null && e.isArray()) {
            e.forEach(x -> eos.add(x.asLong()));
        } else if (e != null && e.canConvertToLong()) {
            eos.add(e.asLong());
        }
        return new QwenConfig(
                type,
                hidden,
                positiveInt(json, "intermediate_size", source),
                positiveInt(json, "num_hidden_layers", source),
                heads,
                kvHeads,
                headDim,
                positiveInt(json, "vocab_size", source),
                json.path("rms_norm_eps").asDouble(1e-6),
                theta,
                json.path("tie_word_embeddings").asBoolean(false),
                json.path("max_position_embeddings").asInt(32768),
                eos,
                json.deepCopy());
    }

    /** A config for tests and tiny models, with the fields Hugging Face needs to load it back. */
    public static QwenConfig tiny(
            String modelType,
            int hidden,
            int intermediate,
            int layers,
            int heads,
            int kvHeads,
            int headDim,
            int vocab,
            boolean tied) {
        ObjectNode json = JSON.createObjectNode();
        json.putArray("architectures").add(modelType.equals("qwen3") ? "Qwen3ForCausalLM" : "Qwen2ForCausalLM");
        json.put("model_type", modelType);
        json.put("hidden_size", hidden);
        json.put("intermediate_size", intermediate);
        json.put("num_hidden_layers", layers);
        json.put("num_attention_heads", heads);
        json.put("num_key_value_heads", kvHeads);
        if (modelType.equals("qwen3") || headDim * heads != hidden) {
            json.put("head_dim", headDim);
        }
        json.put("vocab_size", vocab);
        json.put("rms_norm_eps", 1e-6);
        json.put("rope_theta", 10000.0);
        json.put("tie_word_embeddings", tied);
        json.put("max_position_embeddings", 4096);
        json.put("hidden_act", "silu");
        json.put("attention_bias", !modelType.equals("qwen3"));
        json.put("use_sliding_window", false);
        json.put("torch_dtype", "float32");
        json.put("bos_token_id", 0);
        json.put("eos_token_id", 1);
        return fromJson(json, "tiny config");
    }

    private static String text(JsonNode json, String key, String source) {
        JsonNode v = json.get(key);
        if (v == null || !v.isTextual()) {
            throw new ModelFormatException(source + ": key '" + key + "' missing or not a string");
        }
        return v.asText();
    }

    private static int positiveInt(JsonNode json, String key, String source) {
        JsonNode v = json.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new ModelFormatException(
                    source + ": key '" + key + "' missing or not a positive integer (got " + v + ")");
        }
        return v.asInt();
    }
}
