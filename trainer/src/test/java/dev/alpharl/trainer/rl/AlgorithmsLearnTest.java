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
 * Each of grpo, dapo, rloo and ppo, run for 40 steps of 64 prompts × 8 samples (lr 5e-6, as the tiny-default job) on the
 * tiny base model, raises the greedy accuracy on 1,000 held-out prompts by at least 2 points without lowering the
 * training reward, with no skipped step and no non-finite metric. Measured with three seeds ({@code -Dlearn.seed}):
 * <pre>
 *   greedy held-out accuracy 0.219 ->   seed 11               seed 12               seed 13
 *   grpo                               0.270                 0.267                 0.270
 *   dapo                               0.267                 0.265                 0.269
 *   rloo                               0.258                 0.267                 0.269
 *   ppo                                0.261                 0.272                 0.265
 * </pre>
 * so every gain of the twelve runs was 3.9-5.3 points against the margin of 2. The sampled training reward moves less in 40 steps at this learning rate: its least-squares slope
 * was +0.0003 to +0.0005 per step (1-2.5 standard errors) for seed 13, and the first and last ten steps' means differed
 * by -0.002 to +0.027 across seeds; so the test asserts only that it does not fall (slope above minus two standard
 * errors). An earlier design (16 prompts per step, mean@4 at temperature 1 on 100 prompts, a 2-point margin) passed or
 * failed with the draw of random numbers: its gains were within one standard error.
 */
class AlgorithmsLearnTest {

    /** The run seed; {@code -Dlearn.seed=N} repeats the measurement under other draws. */
    private static final long SEED = Long.getLong("learn.seed", 11);

    @TempDir
    static Path tmp;

    @BeforeAll
    static void model() {
        RlTrainerTest.locateModel();
    }

    static String yaml(String algorithm, int steps, String extra) {
        return """
                run: {name: %s, output-dir: %s, seed: %d}
                model: {path: %s, device: cpu}
                data:
                  train: {kind: synthetic, task: arithmetic, size: 2000, seed: 1, split: train, max-digits: 2}
                  eval: {kind: synthetic, task: arithmetic, size: 1000, seed: 2, split: held-out, max-digits: 2}
                rollout: {group-size: 8, prompts-per-step: 64, max-new-tokens: 6, temperature: 1.0, eval-temperature: 0.0, eval-n: 1}
                rewards: [{name: math, options: {style: gsm8k}}]
                algorithm: {name: %s%s}
                optim: {lr: 5.0e-6, weight-decay: 0.0, grad-clip: 1.0, warmup-steps: 2}
                trainer: {total-steps: %d, micro-batch-size: 128, eval-every: %d, save-every: 0}
                metrics: {log-every: 10}
                """.formatted(
                        algorithm,
                        tmp.toString().replace("\\", "/"),
                        SEED,
                        RlTrainerTest.tinyModel.toString().replace("\\", "/"),
                        algorithm,
                        extra,
                        steps,
                        steps);
    }

    @ParameterizedTest(name = "{0} raises held-out greedy accuracy by >= {2} without lowering the train reward")
    @CsvSource(
            delimiter = '|',
            value = {
                "grpo  | ''                                  | 0.02",
                "dapo  | ''                                  | 0.02",
                "rloo  | ''                                  | 0.02",
                "ppo   | ', critic: {lr: 1.0e-4}'            | 0.02",
            })
    void algorithmRaisesRewardAndAccuracy(String algorithm, String extra, double accMargin) throws Exception {
        int steps = 40;
        TrainConfig config =
                ConfigLoader.parse(TrainConfig.class, yaml(algorithm, steps, extra), algorithm + ".yaml", List.of());
        Path run = RlTrainerTest.train(config);
        JsonNode summary =
                new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        double base = summary.get("base_eval").get("accuracy").asDouble();
        double last = summary.get("final_eval").get("accuracy").asDouble();
        List<Map<String, Object>> lines = MetricsJsonl.read(run.resolve("metrics.jsonl"));
        SimpleRegression trend = new SimpleRegression();
        for (Map<String, Object> line : lines) {
            if (line.get("reward/mean") instanceof Number reward) {
                trend.addData(((Number) line.get("step")).doubleValue(), reward.doubleValue());
            }
        }
        System.out.printf(
                "%s (seed %d): reward slope %.5f/step (SE %.5f) over %d steps, greedy accuracy %.3f -> %.3f%n",
                algorithm, SEED, trend.getSlope(), trend.getSlopeStdErr(), trend.getN(), base, last);
        assertThat(summary.get("skipped_steps").asDouble()).isZero();
        for (Map<String, Object> line : lines) {
            for (String key : List.of("loss/policy", "grad_norm", "entropy")) {
                if (line.containsKey(key)) {
                    assertThat(line.get(key))
                            .as("%s at step %s", key, line.get("step"))
                            .isNotNull();
                }
            }
        }
        assertThat(trend.getN()).isEqualTo(steps);
        assertThat(trend.getSlope())
                .as("least-squares slope of the train reward per step")
                .isPositive();
        assertThat(last - base).as("held-out greedy accuracy gain").isGreaterThanOrEqualTo(accMargin);
    }
}
