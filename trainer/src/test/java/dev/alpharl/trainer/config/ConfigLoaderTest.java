package dev.alpharl.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.trainer.config.AlgorithmConfig.KlConfig.Placement;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final String REQUIRED = """
            model:
              path: models/m
            data:
              train: {path: data/train.jsonl}
            """;

    static TrainConfig parse(String yaml, String... overrides) {
        return ConfigLoader.parse(TrainConfig.class, yaml, "t.yaml", List.of(overrides));
    }

    @Test
    void yamlValuesAreTypedByTheirKeys() {
        TrainConfig config = parse(REQUIRED + """
                run:
                  seed: 12345678901
                rollout:
                  group-size: 4
                  top-p: 0.9
                  temperature: 1        # an integer is a valid number
                rewards:
                  - name: math
                    weight: 1.0
                  - name: format
                    weight: 0.25
                    options: {tag: answer, strict: true}
                algorithm:
                  name: dapo
                  aggregation: seq-mean-token-mean
                  clip-high: 0.28
                  kl:
                    coef: 0.001
                    estimator: k1+
                    in: reward
                optim:
                  betas: [0.9, 0.95]
                """);

        assertThat(config.run().seed()).isEqualTo(12345678901L);
        assertThat(config.model().path()).isEqualTo(Path.of("models/m"));
        assertThat(config.rollout().groupSize()).isEqualTo(4);
        assertThat(config.rollout().topP()).isEqualTo(0.9);
        assertThat(config.rollout().temperature()).isEqualTo(1.0);
        assertThat(config.rewards())
                .containsExactly(
                        new RewardSpec("math", 1.0, Map.of()),
                        new RewardSpec("format", 0.25, Map.of("tag", "answer", "strict", "true")));
        assertThat(config.algorithm().name()).isEqualTo(AlgorithmConfig.Name.DAPO);
        assertThat(config.algorithm().aggregation()).isEqualTo("seq-mean-token-mean");
        assertThat(config.algorithm().clipHigh()).isEqualTo(0.28);
        assertThat(config.algorithm().kl().coef()).isEqualTo(0.001);
        assertThat(config.algorithm().kl().estimator()).isEqualTo("k1+");
        assertThat(config.algorithm().kl().in()).isEqualTo(Placement.REWARD);
        assertThat(config.optim().betas()).containsExactly(0.9, 0.95);
    }

    @Test
    void commandLineOverridesWinAndAreTypedLikeYaml() {
        TrainConfig config = parse(
                """
                model:
                  path: models/m
                data:
                  train: {path: data/train.jsonl}
                  eval: {path: data/eval.jsonl}
                rollout:
                  group-size: 4
                rewards:
                  - name: math
                """,
                "--rollout.group-size=16",
                "--rollout.top-k",
                "20",
                "--algorithm.kl.coef=0.01",
                "--algorithm.kl.estimator=k2",
                "--optim.betas=0.8,0.9",
                "--trainer.total-steps=200",
                "--alpharl.window=40",
                "--alpharl.target-reward=0.9",
                "--rewards.0.weight=0.5",
                "--rewards.1.name=format",
                "--rewards.1.options.tag=answer",
                "--data.eval=null",
                "--data.shuffle=false",
                "--run.output-dir=/tmp/out",
                "--algorithm.aggregation=token-mean");

        assertThat(config.rollout().groupSize()).isEqualTo(16);
        assertThat(config.rollout().topK()).isEqualTo(20);
        assertThat(config.algorithm().kl().coef()).isEqualTo(0.01);
        assertThat(config.algorithm().kl().estimator()).isEqualTo("k2");
        assertThat(config.optim().betas()).containsExactly(0.8, 0.9);
        assertThat(config.alpharl().window()).isEqualTo(40);
        assertThat(config.alpharl().targetReward()).isEqualTo(0.9);
        assertThat(config.rewards())
                .containsExactly(
                        new RewardSpec("math", 0.5, Map.of()), new RewardSpec("format", 1.0, Map.of("tag", "answer")));
        assertThat(config.data().eval()).isNullOrEmpty();
        assertThat(config.data().shuffle()).isFalse();
        assertThat(config.run().outputDir()).isEqualTo(Path.of("/tmp/out"));
        assertThat(config.algorithm().aggregation()).isEqualTo("token-mean");
    }

    @Test
    void listElementsCanBeAddedFromTheCommandLineAlone() {
        TrainConfig config = parse(
                REQUIRED + "optim:\n  betas: [0.9, 0.99]\n",
                "--rewards.0.name=math",
                "--rewards.1.name=format",
                "--rewards.1.weight=0.1",
                "--optim.betas.1=0.95");
        assertThat(config.rewards())
                .containsExactly(new RewardSpec("math", 1.0, Map.of()), new RewardSpec("format", 0.1, Map.of()));
        assertThat(config.optim().betas()).containsExactly(0.9, 0.95);
        assertThatThrownBy(() -> parse(REQUIRED + "optim:\n  betas: [0.9, 0.99]\n", "--optim.betas.1.x=1"))
                .hasMessage("--optim.betas.1.x=1: optim.betas.1 is a value, not a section");
    }

    @Test
    void emptyYamlIsValidOnceTheRequiredPathsAreGiven() {
        TrainConfig config = parse("", "--model.path=m", "--data.train.path=t");

        assertThat(config.rollout().groupSize()).isEqualTo(8);
        assertThat(config.rollout().topP()).isEqualTo(1.0);
        assertThat(config.algorithm().name()).isEqualTo(AlgorithmConfig.Name.GRPO);
        assertThat(config.algorithm().advantage()).isNull();
        assertThat(config.algorithm().clipLow()).isNull(); // the preset decides
        assertThat(config.algorithm().clipHigh()).isNull();
        assertThat(config.algorithm().kl().coef()).isEqualTo(0.0);
        assertThat(config.algorithm().critic().valueClip()).isEqualTo(0.5);
        assertThat(config.optim().lr()).isEqualTo(1e-6);
        assertThat(config.optim().betas()).containsExactly(0.9, 0.999);
        assertThat(config.alpharl().enabled()).isFalse();
        assertThat(config.rewards()).isEmpty();
        assertThat(config.run().outputDir()).isEqualTo(Path.of("runs"));
    }

    @Test
    void anEmptySectionMeansItsDefaults() {
        assertThat(parse(REQUIRED + "rollout:\nalgorithm:\n  kl:\n").rollout())
                .isEqualTo(parse(REQUIRED).rollout());
    }

    @Test
    void missingRequiredKeyIsNamed() {
        assertThatThrownBy(() -> parse("data:\n  train: {path: t}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml: missing required key model.path");
        assertThatThrownBy(() -> parse(REQUIRED + "rewards:\n  - weight: 2\n"))
                .hasMessage("t.yaml:6: missing required key rewards.0.name");
    }
}
