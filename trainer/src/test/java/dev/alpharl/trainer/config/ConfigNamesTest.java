package dev.alpharl.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigNamesTest {
    @Test
    void componentsAreKebabCase() {
        assertThat(ConfigNames.kebab("maxNewTokens")).isEqualTo("max-new-tokens");
        assertThat(ConfigNames.kebab("topP")).isEqualTo("top-p");
        assertThat(ConfigNames.kebab("lr")).isEqualTo("lr");
    }

    @Test
    void enumsUseLowercaseNamesUnlessAKeyIsGiven() {
        assertThat(ConfigNames.enumNames(AlgorithmConfig.Name.class))
                .containsExactly(
                        "grpo",
                        "dr_grpo",
                        "dapo",
                        "rloo",
                        "ppo",
                        "reinforce_pp",
                        "reinforce_pp_baseline",
                        "gspo",
                        "cispo");
    }

    @Test
    void allKeysWalksNestedSections() {
        List<String> keys = ConfigNames.allKeys(TrainConfig.class);
        assertThat(keys)
                .contains(
                        "run.seed",
                        "rollout.top-p",
                        "algorithm.kl.coef",
                        "algorithm.kl.in",
                        "algorithm.overlong.buffer",
                        "algorithm.critic.value-clip",
                        "alpharl.window",
                        "rewards");
        assertThat(keys).doesNotHaveDuplicates().noneMatch(k -> k.startsWith("rewards."));
    }

    @Test
    void levenshteinCountsEdits() {
        assertThat(Suggestions.levenshtein("kitten", "sitting")).isEqualTo(3);
        assertThat(Suggestions.levenshtein("", "abc")).isEqualTo(3);
        assertThat(Suggestions.levenshtein("groupsize", "group-size")).isEqualTo(1);
        assertThat(Suggestions.levenshtein("flaw", "lawn"))
                .isEqualTo(Suggestions.levenshtein("lawn", "flaw"))
                .isEqualTo(2);
    }

    @Test
    void farCandidatesAreNotSuggested() {
        assertThat(Suggestions.nearest("temprature", List.of("temperature", "top-p")))
                .contains("temperature");
        assertThat(Suggestions.nearest("wandb", List.of("lr", "seed"))).isEmpty();
    }
}
