package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PEFT's matching rules, case by case (peft/tuners/tuners_utils.py check_target_module_exists, peft/utils/other.py
 * get_pattern_key): what each form of target_modules selects, which pattern key gives a module its rank and alpha,
 * and the scaling.
 */
class LoraSpecTest {

    /** Two layers, so names differ in their layer index. */
    private static final QwenConfig TWO_LAYERS = QwenConfig.tiny("qwen3", 32, 48, 2, 4, 2, 16, 50, false);

    private static LoraSpec list(String... targets) {
        return LoraSpec.of(8, 16, List.of(targets));
    }

    private static LoraSpec regex(String regex) {
        return new LoraSpec(8, 16, 0, null, regex, null, null, false, Map.of(), Map.of());
    }

    @Test
    void aListEntryMatchesTheWholeNameOrASuffixAfterADot() {
        LoraSpec s = list("q_proj", "mlp.down_proj", "model.layers.1.self_attn.o_proj");
        assertThat(s.targets("model.layers.0.self_attn.q_proj")).isTrue();
        assertThat(s.targets("model.layers.1.mlp.down_proj")).isTrue();
        assertThat(s.targets("model.layers.1.self_attn.o_proj")).isTrue();
        assertThat(s.targets("model.layers.0.self_attn.o_proj")).isFalse();
        // a suffix must start after a dot: "proj" is not a suffix of ".q_proj"'s last segment
        assertThat(list("proj").targets("model.layers.0.self_attn.q_proj")).isFalse();
        assertThat(list("_proj").targets("model.layers.0.self_attn.q_proj")).isFalse();
        // list entries are names, not regular expressions
        assertThat(list(".*q_proj").targets("model.layers.0.self_attn.q_proj")).isFalse();
    }

    @Test
    void aRegexMustMatchTheWholeName() {
        LoraSpec s = regex(".*\\.(q|v)_proj");
        assertThat(s.targets("model.layers.0.self_attn.q_proj")).isTrue();
        assertThat(s.targets("model.layers.0.self_attn.v_proj")).isTrue();
        assertThat(s.targets("model.layers.0.self_attn.k_proj")).isFalse();
        // fullmatch: a regex that matches only the end of the name selects nothing
        assertThat(regex("q_proj").targets("model.layers.0.self_attn.q_proj")).isFalse();
        assertThat(regex("model\\.layers\\.1\\..*").resolve(TWO_LAYERS).keySet())
                .allMatch(n -> n.startsWith("model.layers.1."))
                .hasSize(7);
    }

    @Test
    void allLinearIsEveryProjectionAndNotTheHead() {
        var modules = regex("all-linear").resolve(TWO_LAYERS);
        assertThat(modules).hasSize(14);
        assertThat(modules.keySet()).doesNotContain("lm_head", "model.embed_tokens");
        assertThat(modules.keySet())
                .startsWith(
                        "model.layers.0.self_attn.q_proj",
                        "model.layers.0.self_attn.k_proj",
                        "model.layers.0.self_attn.v_proj");
    }

    @Test
    void excludedModulesAreNotAdapted() {
        LoraSpec s = new LoraSpec(
                8,
                16,
                0,
                List.of("q_proj", "v_proj"),
                null,
                List.of("layers.1.self_attn.q_proj"),
                null,
                false,
                Map.of(),
                Map.of());
        assertThat(s.resolve(TWO_LAYERS).keySet())
                .containsExactly(
                        "model.layers.0.self_attn.q_proj",
                        "model.layers.0.self_attn.v_proj",
                        "model.layers.1.self_attn.v_proj");
    }

    @Test
    void theFirstPatternKeyMatchingTheNameOrASuffixGivesRankAndAlpha() {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        ranks.put("layers\\.1\\.self_attn\\.q_proj", 2); // a regex: dots escaped
        ranks.put("q_proj", 4);
        ranks.put("proj", 6); // never matches: "proj" must follow a dot
        Map<String, Double> alphas = Map.of("v_proj", 32.0);
        LoraSpec s = new LoraSpec(8, 16, 0, List.of("q_proj", "v_proj"), null, null, null, false, ranks, alphas);
        assertThat(s.rank("model.layers.1.self_attn.q_proj")).isEqualTo(2);
        assertThat(s.rank("model.layers.0.self_attn.q_proj")).isEqualTo(4);
        assertThat(s.rank("model.layers.0.self_attn.v_proj")).isEqualTo(8);
        assertThat(s.alpha("model.layers.0.self_attn.v_proj")).isEqualTo(32.0);
        assertThat(s.alpha("model.layers.0.self_attn.q_proj")).isEqualTo(16.0);
        // s = alpha / r
        assertThat(s.scaling("model.layers.0.self_attn.q_proj")).isEqualTo(16.0 / 4);
        assertThat(s.scaling("model.layers.0.self_attn.v_proj")).isEqualTo(32.0 / 8);
        // the pattern key order decides: the later, broader key would give rank 4
        assertThat(LoraSpec.patternKey(ranks.keySet(), "model.layers.1.self_attn.q_proj"))
                .isEqualTo("layers\\.1\\.self_attn\\.q_proj");
    }

    @Test
    void rsLoraScalesByAlphaOverTheSquareRootOfTheRank() {
        LoraSpec s = new LoraSpec(
                16, 8, 0, List.of("q_proj"), null, null, null, true, Map.of("layers.0.self_attn.q_proj", 4), Map.of());
        assertThat(s.scaling("model.layers.0.self_attn.q_proj")).isCloseTo(8 / 2.0, within(1e-15));
        assertThat(s.scaling("model.layers.1.self_attn.q_proj")).isCloseTo(8 / 4.0, within(1e-15));
    }

    @Test
    void theResolvedModulesCarryTheirShapes() {
        var modules = list("q_proj", "down_proj").resolve(TWO_LAYERS);
        LoraSpec.Module q = modules.get("model.layers.0.self_attn.q_proj");
        LoraSpec.Module down = modules.get("model.layers.1.mlp.down_proj");
        assertThat(q.out()).isEqualTo(4 * 16); // heads × head_dim
        assertThat(q.in()).isEqualTo(32);
        assertThat(down.out()).isEqualTo(32);
        assertThat(down.in()).isEqualTo(48);
    }

    @Test
    void targetsThatMatchNothingOrAnUnsupportedModuleAreRefused() {
        assertThatThrownBy(() -> list("q_proj", "qkv_proj").resolve(TWO_LAYERS))
                .hasMessageContaining("'qkv_proj' matches no module");
        assertThatThrownBy(() -> regex("q_proj").resolve(TWO_LAYERS)).hasMessageContaining("match no module");
        assertThatThrownBy(() -> list("lm_head").resolve(TWO_LAYERS)).hasMessageContaining("'lm_head'");
        assertThatThrownBy(() -> list("embed_tokens").resolve(TWO_LAYERS)).hasMessageContaining("'model.embed_tokens'");
        LoraSpec typo =
                new LoraSpec(8, 16, 0, List.of("q_proj"), null, null, null, false, Map.of("qproj", 4), Map.of());
        assertThatThrownBy(() -> typo.requirePatternsMatch(typo.resolve(TWO_LAYERS)))
                .hasMessageContaining("rank-pattern key 'qproj'");
    }
}
