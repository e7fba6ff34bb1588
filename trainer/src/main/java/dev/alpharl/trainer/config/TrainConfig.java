package dev.alpharl.trainer.config;

import java.util.List;

/**
 * The resolved configuration of a training run: one record per YAML section. Every key has its default and its
 * validation on its record component; to add a key, add a component (tests bind an empty config, so a key without
 * a default fails at once). Load with {@link ConfigLoader}, print with {@link ConfigWriter}.
 */
public record TrainConfig(
        RunConfig run,
        ModelConfig model,
        DataConfig data,
        RolloutConfig rollout,
        /* reward functions, summed with their weights */
        List<RewardSpec> rewards,
        AlgorithmConfig algorithm,
        OptimConfig optim,
        TrainerConfig trainer,
        AlphaRlConfig alpharl,
        MetricsConfig metrics) {

    public TrainConfig {
        InvalidValue.check(
                algorithm.overlong().buffer() == null || algorithm.overlong().buffer() < rollout.maxNewTokens(),
                "algorithm.overlong.buffer",
                "must be less than rollout.max-new-tokens (" + rollout.maxNewTokens() + "), got "
                        + algorithm.overlong().buffer());
        InvalidValue.check(
                alpharl.window() < trainer.totalSteps(),
                "alpharl.window",
                "must be less than trainer.total-steps (" + trainer.totalSteps() + "), got " + alpharl.window());
        InvalidValue.check(
                alpharl.window() == 0 || !model.usesLora(),
                "alpharl.window",
                "> 0 with LoRA (model.lora.r > 0 or model.adapter) is not supported during training yet; set "
                        + "alpharl.window: 0 and run `alpharl predict` on the run's adapter checkpoints (adapter "
                        + "space, docs/ALPHARL.md §13), or train every weight (model.lora.r: 0)");
    }

    /** Loads a config by path or name in {@code configs/} with command-line overrides ({@code --a.b=v}). */
    public static TrainConfig load(String spec, List<String> overrideArgs) {
        return ConfigLoader.load(TrainConfig.class, spec, overrideArgs);
    }

    public String toYaml() {
        return ConfigWriter.toYaml(this);
    }
}
