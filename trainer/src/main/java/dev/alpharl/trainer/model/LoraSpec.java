package dev.alpharl.trainer.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which linear layers of a Qwen model get LoRA adapters, with what rank and scaling: the meaning of Hugging Face
 * PEFT's {@code LoraConfig} (peft/tuners/tuners_utils.py {@code check_target_module_exists}, peft/utils/other.py
 * {@code get_pattern_key}, peft/tuners/lora/layer.py {@code update_layer}). Module names are the Hugging Face ones
 * (model.layers.3.self_attn.q_proj); a module's weight is its name + ".weight".
 * <pre>
 *   targeted(m) = ¬excluded(m) ∧ (regex: fullmatch(target, m)  |  list: m ∈ targets ∨ ∃t: m ends with "." + t)
 *   r(m)        = rank_pattern[k] for the first key k with  (.*\.)?(k)$  matching m, else r     (alpha alike)
 *   s(m)        = alpha(m) / r(m),  or alpha(m) / √r(m) with use_rslora
 * </pre>
 *
 * @param targetModules  list form of target_modules (null when the regex form is used); {@code all-linear} as the
 *                       string form means every attention and MLP projection, as PEFT's shorthand does
 * @param targetRegex    string form of target_modules (null when the list form is used)
 * @param excludeModules list form of exclude_modules (null: none)
 * @param excludeRegex   string form of exclude_modules (null: none)
 * @param rankPattern    key → rank, in the file's order (the first matching key wins, as in PEFT)
 * @param alphaPattern   key → alpha, likewise
 */
public record LoraSpec(
        int r,
        double alpha,
        double dropout,
        List<String> targetModules,
        String targetRegex,
        List<String> excludeModules,
        String excludeRegex,
        boolean useRslora,
        Map<String, Integer> rankPattern,
        Map<String, Double> alphaPattern) {

    /** PEFT's shorthand for every linear layer but the output head. */
    public static final String ALL_LINEAR = "all-linear";

    /** PEFT's default target_modules for the qwen2 and qwen3 model types. */
    public static final List<String> QWEN_DEFAULT_TARGETS = List.of("q_proj", "v_proj");

    /** The projections of a decoder layer, in the order the layer uses them. */
    public static final List<String> PROJECTIONS = List.of(
            "self_attn.q_proj",
            "self_attn.k_proj",
            "self_attn.v_proj",
            "self_attn.o_proj",
            "mlp.gate_proj",
            "mlp.up_proj",
            "mlp.down_proj");

    /** Linear-like modules of the model that PEFT could target but this trainer does not adapt. */
    private static final List<String> UNSUPPORTED_MODULES = List.of("lm_head", "model.embed_tokens");

    public LoraSpec {
        if (r < 1) {
            throw new IllegalArgumentException("r must be >= 1, got " + r);
        }
        if (alpha < 0 || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("lora_alpha must be a finite number >= 0, got " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
        }
        if ((targetModules == null) == (targetRegex == null)) {
            throw new IllegalArgumentException("target_modules must be either a list of names or one regex");
        }
        targetModules = targetModules == null ? null : List.copyOf(targetModules);
        excludeModules = excludeModules == null ? null : List.copyOf(excludeModules);
        rankPattern = rankPattern == null || rankPattern.isEmpty() ? Map.of() : orderedCopy(rankPattern);
        alphaPattern = alphaPattern == null || alphaPattern.isEmpty() ? Map.of() : orderedCopy(alphaPattern);
        rankPattern.forEach((k, v) -> {
            if (v < 1) {
                throw new IllegalArgumentException("rank_pattern[" + k + "] must be >= 1, got " + v);
            }
        });
    }

    private static <V> Map<String, V> orderedCopy(Map<String, V> map) {
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /**
     * A spec with the list form of target_modules and no patterns; the one-entry list {@code [all-linear]} stands for
     * PEFT's string shorthand (a config key holds a list).
     */
    public static LoraSpec of(int r, double alpha, List<String> targets) {
        boolean allLinear = targets.size() == 1 && targets.get(0).equalsIgnoreCase(ALL_LINEAR);
        return new LoraSpec(
                r,
                alpha,
                0.0,
                allLinear ? null : targets,
                allLinear ? ALL_LINEAR : null,
                null,
                null,
                false,
                Map.of(),
                Map.of());
    }

    /** This spec with another dropout (continuing training from a file with model.lora.dropout set). */
    public LoraSpec withDropout(double p) {
        return new LoraSpec(
                r,
                alpha,
                p,
                targetModules,
                targetRegex,
                excludeModules,
                excludeRegex,
                useRslora,
                rankPattern,
                alphaPattern);
    }

    /** Every module name of {@code config} that PEFT could target (the adaptable projections and the rest). */
    public static List<String> candidateModules(QwenConfig config) {
        List<String> names = new ArrayList<>(UNSUPPORTED_MODULES);
        for (int i = 0; i < config.numLayers(); i++) {
            for (String p : PROJECTIONS) {
                names.add("model.layers." + i + "." + p);
            }
        }
        return names;
    }

    /** Whether module {@code name} gets an adapter under this spec (PEFT's check_target_module_exists). */
    public boolean targets(String name) {
        if (excludeRegex != null && Pattern.compile(excludeRegex).matcher(name).matches()) {
            return false;
        }
        if (excludeModules != null && matchesList(excludeModules, name)) {
            return false;
        }
        if (targetRegex != null) {
            if (targetRegex.equalsIgnoreCase(ALL_LINEAR)) {
                return isProjection(name);
            }
            return Pattern.compile(targetRegex).matcher(name).matches();
        }
        return matchesList(targetModules, name);
    }

    private static boolean matchesList(List<String> entries, String name) {
        return entries.contains(name) || entries.stream().anyMatch(t -> name.endsWith("." + t));
    }

    private static boolean isProjection(String name) {
        return name.startsWith("model.layers.") && PROJECTIONS.stream().anyMatch(p -> name.endsWith("." + p));
    }

    /** The rank of module {@code name}: rank_pattern's first matching key, else r. */
    public int rank(String name) {
        String key = patternKey(rankPattern.keySet(), name);
        return key == null ? r : rankPattern.get(key);
    }

    /** The alpha of module {@code name}: alpha_pattern's first matching key, else lora_alpha. */
    public double alpha(String name) {
        String key = patternKey(alphaPattern.keySet(), name);
        return key == null ? alpha : alphaPattern.get(key);
    }

    /** s = alpha/r, or alpha/√r with use_rslora, for module {@code name}. */
    public double scaling(String name) {
        int rank = rank(name);
        return useRslora ? alpha(name) / Math.sqrt(rank) : alpha(name) / rank;
    }

    /** PEFT's get_pattern_key: the first key k (a regex) with {@code (.*\.)?(k)$} matching the whole name. */
    static String patternKey(Iterable<String> keys, String name) {
        for (String key : keys) {
            if (Pattern.compile("(.*\\.)?(" + key + ")$").matcher(name).matches()) {
                return key;
            }
        }
        return null;
    }

    /** One adapted module: its rank and scaling, and the shape of its weight [out, in]. */
    public record Module(String name, int rank, double scaling, long out, long in) {}

    /**
     * The modules of {@code config} this spec adapts, in layer order, with their ranks, scalings and shapes. Throws
     * {@link IllegalArgumentException} (the caller names the file or key) when a list entry or the regex matches no
     * module, or a match falls on a module this trainer cannot adapt (the embedding, the output head).
     */
    public Map<String, Module> resolve(QwenConfig config) {
        List<String> candidates = candidateModules(config);
        Map<String, ai.djl.ndarray.types.Shape> shapes = QwenModel.expectedShapes(config);
        if (targetModules != null) {
            for (String entry : targetModules) {
                if (candidates.stream().noneMatch(m -> matchesList(List.of(entry), m))) {
                    throw new IllegalArgumentException("target module '" + entry + "' matches no module of this "
                            + config.modelType() + " model (adaptable: " + String.join(", ", shortProjections())
                            + ", or full names such as model.layers.0.self_attn.q_proj)");
                }
            }
        }
        Map<String, Module> out = new LinkedHashMap<>();
        for (String name : candidates) {
            if (!targets(name)) {
                continue;
            }
            if (UNSUPPORTED_MODULES.contains(name)) {
                throw new IllegalArgumentException("target modules select '" + name + "': only the attention and MLP "
                        + "projections (" + String.join(", ", shortProjections()) + ") can carry adapters here");
            }
            long[] shape = shapes.get(name + ".weight").getShape();
            out.put(name, new Module(name, rank(name), scaling(name), shape[0], shape[1]));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("target modules "
                    + (targetRegex != null ? "regex '" + targetRegex + "'" : targetModules.toString())
                    + " match no module of this model (adaptable: " + String.join(", ", shortProjections()) + ")");
        }
        return out;
    }

    /**
     * Throws when a rank_pattern or alpha_pattern key matches none of the {@code adapted} modules (PEFT ignores
     * such keys; a config written by hand more likely holds a typo).
     */
    public void requirePatternsMatch(Map<String, Module> adapted) {
        for (Map<String, ?> pattern : List.of(rankPattern, alphaPattern)) {
            for (String key : pattern.keySet()) {
                if (adapted.keySet().stream().noneMatch(m -> patternKey(List.of(key), m) != null)) {
                    throw new IllegalArgumentException((pattern == rankPattern ? "rank" : "alpha") + "-pattern key '"
                            + key + "' matches none of the adapted modules");
                }
            }
        }
    }

    private static List<String> shortProjections() {
        return PROJECTIONS.stream().map(p -> p.substring(p.indexOf('.') + 1)).toList();
    }
}
