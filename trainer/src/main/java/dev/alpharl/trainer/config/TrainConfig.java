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
                alpharl.window() == 0 || !model.usesLora() || alpharl.method() == AlphaRlConfig.Method.ALPHARL,
                "alpharl.window",
                "> 0 with LoRA (model.lora.r > 0 or model.adapter) needs alpharl.method: alpharl (AlphaRL in adapter "
                        + "space, docs/ALPHARL.md §13); relex extrapolates every weight, and a LoRA policy changes "
                        + "only its adapters");
        InvalidValue.check(
                alpharl.window() == 0 || !model.usesLora() || alpharl.afterJump() == AlphaRlConfig.AfterJump.STOP,
                "alpharl.window",
                "> 0 with LoRA (model.lora.r > 0 or model.adapter) needs alpharl.after-jump: stop; training on from "
                        + "the prediction would need the policy's adapters to grow from rank r to r + 1");
    }

    /** Loads a config by path or name in {@code configs/} with command-line overrides ({@code --a.b=v}). */
    public static TrainConfig load(String spec, List<String> overrideArgs) {
        return ConfigLoader.load(TrainConfig.class, spec, overrideArgs);
    }

    public String toYaml() {
        return ConfigWriter.toYaml(this);
    }
}
