package dev.alpharl.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.metrics.MetricsJsonl;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.regression.SimpleRegression;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GRPO through LoRA adapters learns the tiny task as full fine-tuning does (AlgorithmsLearnTest's protocol: 64
 * prompts × 8 samples per step, 40 steps, greedy accuracy on 1,000 held-out prompts before and after, the
 * least-squares slope of the train reward per step). The adapters' learning rate was chosen by a pilot (docs/LORA.md
 * §5): LoRA moves ΔW = s·B·A through rank-r factors that start at B = 0, so it needs a larger step than full
 * fine-tuning's 5e-6. {@code -Dlearn.seed=N} and {@code -Dlora.lr=X} repeat the measurement under other draws and
 * rates; {@code -Dlora.full=true} adds the full fine-tuning run of the same config for comparison.
 */
class LoraLearnTest {

    private static final long SEED = Long.getLong("learn.seed", 11);
    private static final String LORA_LR = System.getProperty("lora.lr", "2e-4");

    @TempDir
    static Path tmp;

    @BeforeAll
    static void model() {
        RlTrainerTest.locateModel();
    }

    static String yaml(String name, String lr, String lora) {
        return """
                run: {name: %s, output-dir: %s, seed: %d}
                model: {path: %s, device: cpu%s}
                data:
                  train: {kind: synthetic, task: arithmetic, size: 2000, seed: 1, split: train, max-digits: 2}
                  eval: {kind: synthetic, task: arithmetic, size: 1000, seed: 2, split: held-out, max-digits: 2}
                rollout: {group-size: 8, prompts-per-step: 64, max-new-tokens: 6, temperature: 1.0, eval-temperature: 0.0, eval-n: 1}
                rewards: [{name: math, options: {style: gsm8k}}]
                algorithm: {name: grpo}
                optim: {lr: %s, weight-decay: 0.0, grad-clip: 1.0, warmup-steps: 2}
                trainer: {total-steps: 40, micro-batch-size: 128, eval-every: 40, save-every: 0}
                metrics: {log-every: 10}
                """.formatted(
                        name,
                        tmp.toString().replace("\\", "/"),
                        SEED,
                        RlTrainerTest.tinyModel.toString().replace("\\", "/"),
                        lora,
                        lr);
    }

    @ParameterizedTest(name = "{0}: reward slope > 0, greedy held-out accuracy +{2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "lora-r8-all-linear | , lora: {r: 8, alpha: 16, target-modules: all-linear} | 0.02",
            })
    void loraGrpoRaisesRewardAndHeldOutAccuracy(String name, String lora, double accMargin) throws Exception {
        List<String[]> runs = new java.util.ArrayList<>();
        runs.add(new String[] {name, LORA_LR, lora});
        if (Boolean.getBoolean("lora.full")) {
            runs.add(new String[] {"full", "5e-6", ""});
        }
        for (String[] r : runs) {
            TrainConfig config =
                    ConfigLoader.parse(TrainConfig.class, yaml(r[0], r[1], r[2]), r[0] + ".yaml", List.of());
            Path run = RlTrainerTest.train(config);
            JsonNode summary =
                    new ObjectMapper().readTree(run.resolve("summary.json").toFile());
            double base = summary.get("base_eval").get("accuracy").asDouble();
            double last = summary.get("final_eval").get("accuracy").asDouble();
            SimpleRegression trend = new SimpleRegression();
            for (Map<String, Object> line : MetricsJsonl.read(run.resolve("metrics.jsonl"))) {
                if (line.get("reward/mean") instanceof Number reward) {
                    trend.addData(((Number) line.get("step")).doubleValue(), reward.doubleValue());
                }
            }
            System.out.printf(
                    "%s (lr %s, seed %d): reward slope %.5f/step (SE %.5f) over %d steps, greedy accuracy %.3f -> %.3f%n",
                    r[0], r[1], SEED, trend.getSlope(), trend.getSlopeStdErr(), trend.getN(), base, last);
            if (r[0].equals(name)) {
                assertThat(summary.get("skipped_steps").asDouble()).isZero();
                assertThat(trend.getN()).isEqualTo(40);
                assertThat(trend.getSlope())
                        .as("least-squares slope of the train reward per step")
                        .isPositive();
                assertThat(last - base).as("held-out greedy accuracy gain").isGreaterThanOrEqualTo(accMargin);
            }
        }
    }
}
