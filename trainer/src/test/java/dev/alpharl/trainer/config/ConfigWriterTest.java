package dev.alpharl.trainer.config;

import static dev.alpharl.trainer.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Printing a config and reading the print back gives an equal config. */
class ConfigWriterTest {
    private static TrainConfig reread(TrainConfig config) {
        return ConfigLoader.parse(TrainConfig.class, ConfigWriter.toYaml(config), "printed.yaml", List.of());
    }

    @Test
    void defaultsRoundTrip() {
        TrainConfig config = parse("", "--model.path=m", "--data.train.path=t");
        assertThat(reread(config)).isEqualTo(config);
    }

    @Test
    void everyKindOfValueRoundTrips() {
        TrainConfig config = parse("""
                model: {path: /models/qwen2.5-0.5b, dtype: bfloat16, device: "gpu:1"}
                data:
                  train: {kind: synthetic, task: countdown}
                  eval: {path: "null"}
                  system-prompt: "Reason step by step: then answer.\\n# Put it in \\\\boxed{}"
                  prompt-template: "{question} true"
                rewards:
                  - {name: math, weight: -0.5, options: {tolerance: 1e-6, "key with spaces": "yes"}}
                  - {name: format}
                algorithm:
                  name: reinforce_pp_baseline
                  advantage: reinforce_pp_baseline
                  loss: gspo
                  aggregation: constant-norm
                  clip-low: 3.0e-4
                  clip-high: 4.0e-4
                  dual-clip: 3
                  kl: {coef: 1.0e-3, estimator: k3+, in: reward, adaptive: true}
                optim: {lr: 1.0e-7, betas: [0.9, 0.95], schedule: cosine}
                trainer: {total-steps: 1000}
                alpharl: {window: 12, snapshot-every: 3, method: relex, target-step: 100, target-reward: 1.7,
                          assembly: base, after-jump: continue}
                metrics: {prometheus-port: 9400}
                """);

        String yaml = ConfigWriter.toYaml(config);
        TrainConfig reread = reread(config);

        assertThat(reread).isEqualTo(config);
        assertThat(reread.data().eval()).containsEntry("path", "null");
        assertThat(ConfigWriter.toYaml(reread)).isEqualTo(yaml);
        assertThat(yaml)
                .contains(
                        "estimator: k3+",
                        "aggregation: constant-norm",
                        "snapshot-every: 3",
                        "target-step: 100",
                        "clip-high: 4.0E-4");
    }

    @Test
    void bundledTinyConfigRoundTrips() {
        TrainConfig config = ConfigLoader.load(TrainConfig.class, "tiny-grpo", List.of());
        assertThat(reread(config)).isEqualTo(config);
    }
}
