package dev.alpharl.trainer.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * LoRA adapters on the policy (docs/LORA.md), with the meaning of Hugging Face PEFT's {@code LoraConfig} fields: an
 * adapted linear layer computes y = x·Wᵀ (+b) + s·(dropout(x)·Aᵀ)·Bᵀ with A [r, in], B [out, r] (B starts at
 * zero) and s = alpha/r, or alpha/√r with use-rslora. Only A and B are trained.
 *
 * @param r                    the rank (PEFT {@code r}); 0: LoRA off (full fine-tuning)
 * @param alpha                PEFT {@code lora_alpha} (null: PEFT's default, 8)
 * @param dropout              PEFT {@code lora_dropout}: dropout on the adapter's input, in the update's forward only
 *                             (null: PEFT's default 0, or the lora_dropout of model.adapter's file)
 * @param targetModules        PEFT {@code target_modules} given as a list: a module is adapted when its name equals
 *                             an entry or ends with "." + the entry (q_proj, model.layers.0.mlp.up_proj, ...); the one
 *                             entry {@code all-linear} adapts every attention and MLP projection; empty: PEFT's
 *                             default for Qwen2/Qwen3, q_proj and v_proj
 * @param targetModulesRegex   PEFT {@code target_modules} given as a string: a regular expression that must match a
 *                             module's whole name (excludes target-modules)
 * @param useRslora            PEFT {@code use_rslora}: scale by alpha/√r instead of alpha/r (null: false)
 * @param rankPattern          PEFT {@code rank_pattern}: module-name regex → rank; a key matches a module whose name
 *                             is the key or ends with "." + the key (the key is a regular expression)
 * @param alphaPattern         PEFT {@code alpha_pattern}: module-name regex → alpha, matched as rank-pattern
 */
public record LoraConfig(
        @Default("0") @Range(min = 0) int r,
        @Range(min = 0) Double alpha,
        @Range(min = 0, max = 0.999) Double dropout,
        List<String> targetModules,
        String targetModulesRegex,
        Boolean useRslora,
        Map<String, String> rankPattern,
        Map<String, String> alphaPattern) {

    /** PEFT's default lora_alpha. */
    public static final double DEFAULT_ALPHA = 8;

    public LoraConfig {
        targetModules = targetModules == null ? List.of() : List.copyOf(targetModules);
        rankPattern = rankPattern == null ? Map.of() : rankPattern;
        alphaPattern = alphaPattern == null ? Map.of() : alphaPattern;
        InvalidValue.check(
                targetModules.isEmpty() || targetModulesRegex == null,
                "target-modules-regex",
                "and target-modules are the two forms of PEFT's target_modules (a regular expression or a list of "
                        + "names): set one of them");
        for (String entry : targetModules) {
            InvalidValue.check(
                    !entry.isBlank(), "target-modules", "has an empty entry: list module names such as q_proj, v_proj");
        }
        if (targetModulesRegex != null) {
            compile(targetModulesRegex, "target-modules-regex");
        }
        for (Map.Entry<String, String> e : rankPattern.entrySet()) {
            compile(e.getKey(), "rank-pattern");
            InvalidValue.check(
                    isPositiveInt(e.getValue()),
                    "rank-pattern",
                    "entry " + e.getKey() + " must be a positive integer rank, got " + e.getValue());
        }
        for (Map.Entry<String, String> e : alphaPattern.entrySet()) {
            compile(e.getKey(), "alpha-pattern");
            InvalidValue.check(
                    isNonNegativeNumber(e.getValue()),
                    "alpha-pattern",
                    "entry " + e.getKey() + " must be a number >= 0, got " + e.getValue());
        }
    }

    /** Whether LoRA is on. */
    public boolean enabled() {
        return r > 0;
    }

    /** Whether any key but dropout is set (they describe new adapters; an adapter file brings its own). */
    public boolean describesAdapters() {
        return r > 0
                || alpha != null
                || !targetModules.isEmpty()
                || targetModulesRegex != null
                || useRslora != null
                || !rankPattern.isEmpty()
                || !alphaPattern.isEmpty();
    }

    /** lora_alpha, PEFT's default when unset. */
    public double alphaOrDefault() {
        return alpha == null ? DEFAULT_ALPHA : alpha;
    }

    /** use_rslora, false when unset. */
    public boolean rslora() {
        return useRslora != null && useRslora;
    }

    /** rank-pattern with its ranks parsed. */
    public Map<String, Integer> ranks() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        rankPattern.forEach((k, v) -> out.put(k, Integer.parseInt(v.trim())));
        return out;
    }

    /** alpha-pattern with its alphas parsed. */
    public Map<String, Double> alphas() {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        alphaPattern.forEach((k, v) -> out.put(k, Double.parseDouble(v.trim())));
        return out;
    }

    private static void compile(String regex, String key) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidValue(key, "holds an invalid regular expression \"" + regex + "\": " + e.getDescription());
        }
    }

    private static boolean isPositiveInt(String text) {
        try {
            return Integer.parseInt(text.trim()) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isNonNegativeNumber(String text) {
        try {
            double v = Double.parseDouble(text.trim());
            return v >= 0 && Double.isFinite(v);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
