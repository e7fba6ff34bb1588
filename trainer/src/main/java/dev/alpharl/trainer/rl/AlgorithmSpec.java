package dev.alpharl.trainer.rl;

import dev.alpharl.algorithms.AdvantageEstimator;
import dev.alpharl.algorithms.ClipRange;
import dev.alpharl.algorithms.KlEstimator;
import dev.alpharl.algorithms.LossAggregation;
import dev.alpharl.algorithms.PolicyLoss;
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
        AdvantageEstimator advantage,
        RewardScaling rewardScaling,
        PolicyLoss loss,
        LossAggregation aggregation,
        ClipRange clip,
        double klCoef,
        KlEstimator klEstimator,
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
        AdvantageEstimator advantage = switch (name) {
            case GRPO, DAPO, GSPO, CISPO -> AdvantageEstimator.GRPO;
            case DR_GRPO -> AdvantageEstimator.DR_GRPO;
            case RLOO -> AdvantageEstimator.RLOO;
            case PPO -> AdvantageEstimator.GAE;
            case REINFORCE_PP -> AdvantageEstimator.REINFORCE_PP;
            case REINFORCE_PP_BASELINE -> AdvantageEstimator.REINFORCE_PP_BASELINE;
        };
        if (config.advantage() != null) {
            advantage =
                    AdvantageEstimator.fromConfigName(config.advantage().name().toLowerCase(Locale.ROOT));
        }
        PolicyLoss loss = name == AlgorithmConfig.Name.GSPO
                ? PolicyLoss.GSPO
                : name == AlgorithmConfig.Name.CISPO ? PolicyLoss.CISPO : PolicyLoss.PPO_CLIP;
        if (config.loss() != null) {
            loss = switch (config.loss()) {
                case CLIP -> PolicyLoss.PPO_CLIP;
                case GSPO -> PolicyLoss.GSPO;
                case CISPO -> PolicyLoss.CISPO;
            };
        }
        LossAggregation aggregation = switch (name) {
            case GRPO, GSPO -> LossAggregation.SEQ_MEAN_TOKEN_MEAN;
            case DR_GRPO -> LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM;
            default -> LossAggregation.TOKEN_MEAN;
        };
        if (config.aggregation() != null) {
            aggregation = switch (config.aggregation()) {
                case TOKEN_MEAN -> LossAggregation.TOKEN_MEAN;
                case SEQ_MEAN_TOKEN_MEAN -> LossAggregation.SEQ_MEAN_TOKEN_MEAN;
                case SEQ_MEAN_TOKEN_SUM -> LossAggregation.SEQ_MEAN_TOKEN_SUM;
                case CONSTANT_NORM -> LossAggregation.SEQ_MEAN_TOKEN_SUM_NORM;
            };
        }
        double clipLow = config.clipLow() != null
                ? config.clipLow()
                : loss == PolicyLoss.GSPO ? 3e-4 : loss == PolicyLoss.CISPO ? Double.POSITIVE_INFINITY : 0.2;
        double clipHigh = config.clipHigh() != null
                ? config.clipHigh()
                : name == AlgorithmConfig.Name.DAPO
                        ? 0.28
                        : loss == PolicyLoss.GSPO ? 4e-4 : loss == PolicyLoss.CISPO ? 5.0 : clipLow;
        ClipRange clip = ClipRange.of(clipLow, clipHigh);
        if (config.dualClip() != null) {
            clip = clip.withDualClip(config.dualClip());
        }
        boolean returnBased = advantage == AdvantageEstimator.GAE
                || advantage == AdvantageEstimator.REINFORCE_PP
                || advantage == AdvantageEstimator.REINFORCE_PP_BASELINE;
        AlgorithmConfig.KlConfig kl = config.kl();
        boolean klInReward = kl.in() != null ? kl.in() == AlgorithmConfig.KlConfig.Placement.REWARD : returnBased;
        if (klInReward && !returnBased && kl.coef() > 0) {
            throw new ConfigException("algorithm.kl.in: reward needs a return-based advantage (gae, reinforce_pp, "
                    + "reinforce_pp_baseline), but " + name.name().toLowerCase(Locale.ROOT) + " uses "
                    + advantage.configName() + ": put the KL in the loss (algorithm.kl.in: loss)");
        }
        KlEstimator klEstimator = kl.estimator() != null
                ? KlEstimator.fromConfigName(
                        kl.estimator().name().toLowerCase(Locale.ROOT).replace("_plus", "+"))
                : klInReward ? KlEstimator.K1 : KlEstimator.K3;
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

    /** True when a reference model is needed (KL on). */
    public boolean usesReference() {
        return klCoef > 0;
    }

    /** True when a critic is trained (GAE). */
    public boolean usesCritic() {
        return advantage == AdvantageEstimator.GAE;
    }

    /** One line per axis, printed when a run starts so the resolved combination is never a surprise. */
    public String describe() {
        String klText = klCoef > 0
                ? klEstimator.configName() + " in " + (klInReward ? "reward" : "loss") + ", coef " + klCoef
                        + (adaptiveKl ? " (adaptive)" : "")
                : "off";
        return String.format(
                Locale.ROOT,
                "algorithm %s: advantage %s | loss %s, clip [%s, %s]%s | aggregation %s | KL %s | entropy coef %s"
                        + " | dynamic sampling %s | overlong buffer %d | %d epoch(s) x %d minibatch(es)",
                name.name().toLowerCase(Locale.ROOT),
                advantage.configName(),
                loss.configName(),
                clip.epsLow(),
                clip.epsHigh(),
                clip.dualClip() ? ", dual-clip " + clip.dualClipC() : "",
                aggregation.configName(),
                klText,
                entropyCoef,
                dynamicSampling ? "on" : "off",
                overlongBuffer,
                epochs,
                minibatches);
    }
}
