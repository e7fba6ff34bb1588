package dev.alpharl.trainer.config;

import static dev.alpharl.trainer.config.ConfigLoaderTest.REQUIRED;
import static dev.alpharl.trainer.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** Every class of bad input gives one line naming where, the full key, and what is allowed. */
class ConfigErrorsTest {
    private static AbstractThrowableAssert<?, ? extends Throwable> error(String yaml, String... overrides) {
        return assertThatThrownBy(() -> parse(yaml, overrides)).isInstanceOf(ConfigException.class);
    }

    @Test
    void unknownKeySuggestsTheNearestValidKey() {
        error(REQUIRED + "rollout:\n  group-size: 4\n  groupsize: 4\n")
                .hasMessage("t.yaml:7: unknown key rollout.groupsize (did you mean rollout.group-size?)");
        error(REQUIRED + "rolout:\n  group-size: 4\n")
                .hasMessage("t.yaml:5: unknown key rolout (did you mean rollout?)");
        error(REQUIRED, "--algorithm.kl.cof=0.1")
                .hasMessage("--algorithm.kl.cof=0.1: unknown key algorithm.kl.cof (did you mean algorithm.kl.coef?)");
    }

    @Test
    void unknownKeyOfAnotherSectionPointsThere() {
        error(REQUIRED, "--rollout.lr=1e-5")
                .hasMessage("--rollout.lr=1e-5: unknown key rollout.lr (did you mean optim.lr?)");
    }

    @Test
    void unknownKeyWithoutNearMatchListsTheSectionsKeys() {
        error(REQUIRED + "metrics:\n  wandb-project: x\n")
                .hasMessage("t.yaml:6: unknown key metrics.wandb-project (valid keys in metrics: prometheus-port, "
                        + "log-every)");
    }

    @Test
    void wrongTypeNamesKeyExpectedTypeValueAndLine() {
        error(REQUIRED + "rollout:\n  top-p: 0.9\n  group-size: eight\n")
                .hasMessage("t.yaml:7: rollout.group-size expects an integer, got \"eight\"");
        error("model:\n  path: m\ndata:\n  train: {path: t}\n  shuffle: maybe\n")
                .hasMessage("t.yaml:5: data.shuffle expects true or false, got \"maybe\"");
        error(REQUIRED, "--rollout.temperature=hot")
                .hasMessage("--rollout.temperature=hot: rollout.temperature expects a number, got \"hot\"");
        error(REQUIRED + "trainer:\n  total-steps: 1.5\n")
                .hasMessage("t.yaml:6: trainer.total-steps expects an integer, got \"1.5\"");
        error(REQUIRED + "algorithm:\n  epochs:\n")
                .hasMessage("t.yaml:6: algorithm.epochs expects an integer, got null");
    }

    @Test
    void sectionGivenAValueSaysHowToSetIt() {
        error(REQUIRED + "algorithm: grpo\n")
                .hasMessage("t.yaml:5: algorithm is a section; set its keys, e.g. algorithm.name");
        error(REQUIRED + "rollout:\n  top-p: [1, 2]\n")
                .hasMessage("t.yaml:6: rollout.top-p expects a number, got a list");
    }

    @Test
    void outOfRangeNamesKeyAndAllowedValues() {
        error(REQUIRED + "rollout:\n  top-p: 1.5\n")
                .hasMessage("t.yaml:6: rollout.top-p must be between 0 and 1, got 1.5");
        error(REQUIRED, "--rollout.group-size=0")
                .hasMessage("--rollout.group-size=0: rollout.group-size must be >= 1, got 0");
        error(REQUIRED, "--alpharl.window=-1").hasMessage("--alpharl.window=-1: alpharl.window must be >= 0, got -1");
        error(REQUIRED, "--algorithm.clip-high=-0.1")
                .hasMessage("--algorithm.clip-high=-0.1: algorithm.clip-high must be >= 0, got -0.1");
        error(REQUIRED, "--optim.betas=0.9,1.5")
                .hasMessage("--optim.betas=0.9,1.5: optim.betas must be between 0 and 1, got 1.5");
    }

    @Test
    void badEnumValueListsTheAllowedNames() {
        error(REQUIRED + "algorithm:\n  name: grpo2\n")
                .hasMessage("t.yaml:6: algorithm.name must be one of grpo|dr_grpo|dapo|rloo|ppo|reinforce_pp|"
                        + "reinforce_pp_baseline|gspo|cispo, got \"grpo2\" (did you mean grpo?)");
        error(REQUIRED, "--algorithm.aggregation=mean")
                .hasMessage("--algorithm.aggregation=mean: algorithm.aggregation must be one of token-mean|"
                        + "seq-mean-token-mean|seq-mean-token-sum|constant-norm, got \"mean\"");
    }

    @Test
    void checksAcrossKeysNameTheKeyAndWhereItWasSet() {
        error(REQUIRED + "trainer:\n  total-steps: 100\nalpharl:\n  window: 10\n  target-step: 5\n")
                .hasMessageEndingWith("alpharl.target-step must be after alpharl.window (10), got 5");
        error(REQUIRED + "algorithm:\n  dual-clip: 0.5\n")
                .hasMessage("t.yaml:6: algorithm.dual-clip must be greater than 1, got 0.5");
        error(REQUIRED + "rollout:\n  max-new-tokens: 32\nalgorithm:\n  overlong:\n    buffer: 32\n")
                .hasMessage(
                        "t.yaml:9: algorithm.overlong.buffer must be less than rollout.max-new-tokens (32), got 32");
        error(REQUIRED, "--optim.betas=0.9")
                .hasMessage("--optim.betas=0.9: optim.betas must be two values in [0, 1), got [0.9]");
        error(REQUIRED, "--model.device=tpu")
                .hasMessage("--model.device=tpu: model.device must be one of auto|cpu|cuda|cuda:N (gpu, gpu:N: "
                        + "aliases), got \"tpu\"");
    }

    @Test
    void malformedYamlNamesFileAndLine() {
        error(REQUIRED + "rollout:\n  group-size: [4\n")
                .message()
                .startsWith("t.yaml:")
                .contains("invalid YAML");
        error(REQUIRED + "model:\n  path: other\n").hasMessage("t.yaml:5: duplicate key model");
        error("- a\n- b\n").hasMessage("t.yaml:1: a config must be a mapping of sections (run:, model:, ...)");
    }

    @Test
    void malformedOverridesAreExplained() {
        error(REQUIRED, "tiny")
                .hasMessage("unexpected argument 'tiny' (config overrides look like " + "--section.key=value)");
        error(REQUIRED, "--seed=1")
                .hasMessage("unknown option --seed (config overrides look like " + "--section.key=value)");
        error(REQUIRED, "--rollout.top-p").hasMessage("--rollout.top-p: missing value (write --rollout.top-p=VALUE)");
        error(REQUIRED + "rewards:\n  - name: math\n", "--rewards.3.name=format")
                .hasMessage("--rewards.3.name=format: rewards.3: a list element is addressed by an index from 0 to 1 "
                        + "(1 appends)");
        error(REQUIRED, "--model.path.x=1").hasMessage("--model.path.x=1: model.path is a value, not a section");
    }

    @Test
    void messagesAreOneLine() {
        Throwable thrown =
                org.assertj.core.api.Assertions.catchThrowable(() -> parse(REQUIRED + "rollout:\n  group-size: [4\n"));
        assertThat(thrown.getMessage()).doesNotContain("\n");
    }
}
