package dev.alpharl.trainer.config;

import java.util.List;

/**
 * AdamW and its learning-rate schedule.
 *
 * @param lr          peak learning rate
 * @param weightDecay decoupled weight decay
 * @param betas       β1, β2
 * @param eps         ε of the second-moment denominator
 * @param gradClip    maximum global gradient norm (0: off)
 * @param warmupSteps linear warm-up steps from 0 to lr
 * @param schedule    learning rate after warm-up
 * @param minLrRatio  final learning rate of the linear and cosine schedules, as a fraction of lr
 */
public record OptimConfig(
        @Default("1e-6") @Range(min = 0) double lr,
        @Default("0.01") @Range(min = 0) double weightDecay,
        @Default("0.9,0.999") @Range(min = 0, max = 1) List<Double> betas,
        @Default("1e-8") @Range(min = 0) double eps,
        @Default("1.0") @Range(min = 0) double gradClip,
        @Default("0") @Range(min = 0) int warmupSteps,
        @Default("constant") Schedule schedule,
        @Default("0.0") @Range(min = 0, max = 1) double minLrRatio) {

    public enum Schedule {
        CONSTANT,
        LINEAR,
        COSINE
    }

    public OptimConfig {
        InvalidValue.check(
                betas.size() == 2 && betas.get(0) < 1 && betas.get(1) < 1,
                "betas",
                "must be two values in [0, 1), got " + betas);
    }
}
