package dev.alpharl.bench;

import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.rl.AlgorithmSpec;
import java.util.List;

/**
 * What {@code rl-step} measures on: the model (random weights from {@code seed}), P prompts of {@code promptLen}
 * tokens with G samples each and completions of at most {@code maxNewTokens}, {@code warmup} untimed steps before
 * {@code iters} timed ones, and the trainer config whose GRPO step runs on the JVM side (the trainer's defaults plus
 * the user's {@code --trainer.*} / {@code --optim.*} overrides).
 */
public record RlStepSettings(
        QwenConfig model,
        int prompts,
        int groupSize,
        int promptLen,
        int maxNewTokens,
        int iters,
        int warmup,
        long seed,
        TrainConfig config) {

    /** The config sections a user may override: micro-batching and the optimizer; the algorithm stays GRPO. */
    static final List<String> OVERRIDABLE = List.of("trainer.", "optim.");

    public RlStepSettings {
        if (prompts < 1 || groupSize < 2 || promptLen < 1 || maxNewTokens < 1 || iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("need prompts >= 1, group-size >= 2 (GRPO compares samples within a "
                    + "group), prompt-len >= 1, max-new-tokens >= 1, iters >= 1 and warmup >= 0; got " + prompts
                    + ", " + groupSize + ", " + promptLen + ", " + maxNewTokens + ", " + iters + ", " + warmup);
        }
        if (promptLen + maxNewTokens > model.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("prompt-len + max-new-tokens = " + (promptLen + maxNewTokens)
                    + " exceeds the model's " + model.maxPositionEmbeddings() + " positions");
        }
    }

    /** B = P·G, the rows of the rollout and of the update. */
    public int rows() {
        return prompts * groupSize;
    }

    /** The resolved algorithm of {@link #config}: GRPO with its defaults and the optimizer overrides. */
    public AlgorithmSpec algorithm() {
        return AlgorithmSpec.resolve(config.algorithm(), config.rollout());
    }

    /**
     * The trainer config of a run that samples {@code groupSize} completions of at most {@code maxNewTokens} for
     * {@code prompts} prompts per step, with {@code overrides} ({@code --section.key=value}, sections
     * {@link #OVERRIDABLE} only) applied and validated like a {@code train} command line's.
     */
    static TrainConfig trainConfig(int prompts, int groupSize, int maxNewTokens, List<String> overrides) {
        for (String o : overrides) {
            // a value given as its own argument ("--optim.lr 1e-5") is checked by the config loader
            if (o.startsWith("--") && OVERRIDABLE.stream().noneMatch(prefix -> o.startsWith("--" + prefix))) {
                throw new UserInputException("unknown option or unsupported config override '" + o + "': rl-step "
                        + "takes --trainer.* and --optim.* overrides (the algorithm is GRPO; prompts, group size "
                        + "and lengths have options of their own)");
            }
        }
        String yaml = String.format(
                "model: {path: random-bench-model}%n"
                        + "data: {train: {path: none}}%n"
                        + "rollout: {prompts-per-step: %d, group-size: %d, max-new-tokens: %d}%n",
                prompts, groupSize, maxNewTokens);
        return ConfigLoader.parse(TrainConfig.class, yaml, "rl-step bench", overrides);
    }
}
