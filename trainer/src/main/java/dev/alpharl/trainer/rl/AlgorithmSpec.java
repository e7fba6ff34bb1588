package dev.alpharl.trainer.rl;

import dev.alpharl.algorithms.AdvantageEstimator;
import dev.alpharl.algorithms.AdvantageOptions;
import dev.alpharl.algorithms.Advantages;
import dev.alpharl.algorithms.Algorithms;
import dev.alpharl.algorithms.ClipRange;
import dev.alpharl.algorithms.KlEstimator;
import dev.alpharl.algorithms.LossAggregation;
import dev.alpharl.algorithms.PolicyLoss;
import dev.alpharl.algorithms.Registry;
import dev.alpharl.algorithms.RewardScaling;
import dev.alpharl.trainer.config.AlgorithmConfig;
import dev.alpharl.trainer.config.ConfigException;
import dev.alpharl.trainer.config.RolloutConfig;
import java.util.Locale;

/**
 * A named algorithm resolved into its four plug-in axes (docs/ALGORITHMS.md §1) — advantage estimator, policy
 * loss, loss aggregation, KL placement — plus its modifiers, with every config override applied. The presets:
 * <pre>
 *   grpo                   grpo (group std)     clip 0.2          seq-mean-token-mean
 *   dr_grpo                dr_grpo              clip 0.2          constant-norm (C = prompts·G·max-new-tokens)
 *   dapo                   grpo                 clip 0.2 / 0.28   token-mean   dynamic sampling, overlong shaping
 *   rloo                   rloo                 clip 0.2          token-mean
 *   ppo                    gae (critic)         clip 0.2          token-mean   KL k1 in reward
 *   reinforce_pp           reinforce_pp         clip 0.2          token-mean   KL k1 in reward
 *   reinforce_pp_baseline  reinforce_pp_base.   clip 0.2          token-mean   KL k1 in reward
 *   gspo                   grpo                 gspo 3e-4 / 4e-4  seq-mean-token-mean
 *   cispo                  grpo                 cispo (−∞) / 5.0  token-mean
 * </pre>
 * KL is off unless {@code algorithm.kl.coef} &gt; 0; it goes in the loss (k3) for the outcome-advantage presets and
 * in the reward (k1) for the return-based ones.
 */
public record AlgorithmSpec(
        AlgorithmConfig.Name name,
        Registry.Entry<AdvantageEstimator> advantage,
        RewardScaling rewardScaling,
        Registry.Entry<PolicyLoss> loss,
        Registry.Entry<LossAggregation> aggregation,
        ClipRange clip,
        double klCoef,
        Registry.Entry<KlEstimator> klEstimator,
        boolean klInReward,
        boolean adaptiveKl,
        double entropyCoef,
        boolean dynamicSampling,
        int overlongBuffer,
        double overlongPenalty,
        int epochs,
        int minibatches,
        double gamma,
        double lambda) {

    /** Resolves {@code config.name} and applies the overrides of {@code config}. */
    public static AlgorithmSpec resolve(AlgorithmConfig config, RolloutConfig rollout) {
        AlgorithmConfig.Name name = config.name();
        String presetAdvantage = switch (name) {
            case GRPO, DAPO, GSPO, CISPO -> "grpo";
            case DR_GRPO -> "dr_grpo";
            case RLOO -> "rloo";
            case PPO -> "gae";
            case REINFORCE_PP -> "reinforce_pp";
            case REINFORCE_PP_BASELINE -> "reinforce_pp_baseline";
        };
        var advantage = Algorithms.ADVANTAGES.entry(orElse(config.advantage(), presetAdvantage));
        String presetLoss =
                name == AlgorithmConfig.Name.GSPO ? "gspo" : name == AlgorithmConfig.Name.CISPO ? "cispo" : "clip";
        var loss = Algorithms.POLICY_LOSSES.entry(orElse(config.loss(), presetLoss));
        String presetAggregation = switch (name) {
            case GRPO, GSPO -> "seq-mean-token-mean";
            case DR_GRPO -> "constant-norm";
            default -> "token-mean";
        };
        var aggregation = Algorithms.AGGREGATIONS.entry(orElse(config.aggregation(), presetAggregation));
        boolean gspo = loss.name().equals("gspo"), cispo = loss.name().equals("cispo");
        double clipLow =
                config.clipLow() != null ? config.clipLow() : gspo ? 3e-4 : cispo ? Double.POSITIVE_INFINITY : 0.2;
        double clipHigh = config.clipHigh() != null
                ? config.clipHigh()
                : name == AlgorithmConfig.Name.DAPO ? 0.28 : gspo ? 4e-4 : cispo ? 5.0 : clipLow;
        ClipRange clip = ClipRange.of(clipLow, clipHigh);
        if (config.dualClip() != null) {
            clip = clip.withDualClip(config.dualClip());
        }
        boolean returnBased = advantage.value().returnBased();
        AlgorithmConfig.KlConfig kl = config.kl();
        boolean klInReward = kl.in() != null ? kl.in() == AlgorithmConfig.KlConfig.Placement.REWARD : returnBased;
        if (klInReward && !returnBased && kl.coef() > 0) {
            throw new ConfigException("algorithm.kl.in: reward needs a return-based advantage (gae, reinforce_pp, "
                    + "reinforce_pp_baseline), but " + name.name().toLowerCase(Locale.ROOT) + " uses "
                    + advantage.name() + ": put the KL in the loss (algorithm.kl.in: loss)");
        }
        var klEstimator = Algorithms.KL_ESTIMATORS.entry(orElse(kl.estimator(), klInReward ? "k1" : "k3"));
        boolean dynamic =
                config.dynamicSampling() != null ? config.dynamicSampling() : name == AlgorithmConfig.Name.DAPO;
        int buffer = config.overlong().buffer() != null
                ? config.overlong().buffer()
                : name == AlgorithmConfig.Name.DAPO ? Math.max(1, rollout.maxNewTokens() / 4) : 0;
        if (dynamic && rollout.groupSize() < 2) {
            throw new ConfigException("algorithm.dynamic-sampling needs rollout.group-size >= 2 (a group of one "
                    + "always has equal rewards), got " + rollout.groupSize());
        }
        return new AlgorithmSpec(
                name,
                advantage,
                RewardScaling.GROUP,
                loss,
                aggregation,
                clip,
                kl.coef(),
                klEstimator,
                klInReward,
                kl.adaptive(),
                config.entropyCoef(),
                dynamic,
                buffer,
                config.overlong().penalty(),
                config.epochs(),
                config.minibatches(),
                config.gamma(),
                config.lambda());
    }

    private static String orElse(String configured, String preset) {
        return configured != null ? configured : preset;
    }

    /** True when a reference model is needed (KL on). */
    public boolean usesReference() {
        return klCoef > 0;
    }

    /** True when a critic is trained (an estimator that needs values, such as GAE). */
    public boolean usesCritic() {
        return advantage.value().needsCritic();
    }

    /** The options the advantage estimator gets. */
    public AdvantageOptions advantageOptions() {
        return new AdvantageOptions(rewardScaling, Advantages.GRPO_EPS, gamma, lambda);
    }

    /** One line per axis, printed when a run starts so the resolved combination is never a surprise. */
    public String describe() {
        String klText = klCoef > 0
                ? klEstimator.name() + " in " + (klInReward ? "reward" : "loss") + ", coef " + klCoef
                        + (adaptiveKl ? " (adaptive)" : "")
                : "off";
        return String.format(
                Locale.ROOT,
                "algorithm %s: advantage %s | loss %s, clip [%s, %s]%s | aggregation %s | KL %s | entropy coef %s"
                        + " | dynamic sampling %s | overlong buffer %d | %d epoch(s) x %d minibatch(es)",
                name.name().toLowerCase(Locale.ROOT),
                advantage.name(),
                loss.name(),
                clip.epsLow(),
                clip.epsHigh(),
                clip.dualClip() ? ", dual-clip " + clip.dualClipC() : "",
                aggregation.name(),
                klText,
                entropyCoef,
                dynamicSampling ? "on" : "off",
                overlongBuffer,
                epochs,
                minibatches);
    }
}
