package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Advantage estimators. Outcome-based ones take scores {@code R [B]} and a {@link GroupIndex} and return a
 * per-sequence advantage {@code [B]} (broadcast it with {@link Masked#broadcast}); return-based ones take
 * right-padded token rewards {@code [B, T]} and return token advantages {@code [B, T]}, zero on padding.
 *
 * <p>Group statistics are computed on rewards shifted by the group's first member, so a group of identical rewards
 * gives exactly zero deviation and zero advantage (never NaN, never a rounding residue divided by eps).
 */
public final class Advantages {
    /** verl's eps in the GRPO denominator (TRL uses 1e-4, OpenRLHF 1e-9). */
    public static final double GRPO_EPS = 1e-6;
    /** eps under the square root of global whitening (REINFORCE++, PPO). */
    public static final double WHITEN_EPS = 1e-8;

    private Advantages() {}

    /**
     * GRPO: {@code A_i = (R_i − mean_g(R)) / (std + eps)} with the unbiased std of the group ({@code GROUP}), of the
     * whole batch ({@code BATCH}, still subtracting the group mean) or no division ({@code NONE}). As in verl, a group
     * of one sample has mean 0 and std 1, so its advantage is {@code R_i / (1 + eps)}; a batch of one has std 1.
     */
    public static NDArray grpo(NDArray scores, GroupIndex groups, RewardScaling scaling, double eps) {
        GroupStats s = GroupStats.of(scores, groups);
        NDArray std;
        switch (scaling) {
            case NONE:
                return s.deviation;
            case GROUP:
                std = NDArrays.where(s.single, scores.onesLike(), s.groupVariance.sqrt());
                break;
            case BATCH:
                std = batchStd(scores);
                break;
            default:
                throw new IllegalArgumentException("unhandled reward scaling " + scaling);
        }
        return s.deviation.div(std.add(eps));
    }

    /** Dr.GRPO: {@code A_i = R_i − mean_g(R)} (a group of one keeps {@code R_i}). */
    public static NDArray drGrpo(NDArray scores, GroupIndex groups) {
        return grpo(scores, groups, RewardScaling.NONE, 0);
    }

    /**
     * RLOO: {@code A_i = R_i − (Σ_{j∈g} R_j − R_i)/(G − 1) = G/(G − 1)·(R_i − mean_g(R))}. A group of one has no
     * leave-one-out baseline and keeps {@code R_i} (verl).
     */
    public static NDArray rloo(NDArray scores, GroupIndex groups) {
        GroupStats s = GroupStats.of(scores, groups);
        NDArray factor = s.size.div(s.size.sub(1).maximum(1));
        return NDArrays.where(s.single, scores, s.deviation.mul(factor));
    }

    /**
     * Outcome rewards as token rewards: {@code r_{i,t} = R_i·1[t = last valid token of i]} (right padding). Add a KL
     * penalty with {@link KlPenalty#penalizeRewards}.
     */
    public static NDArray outcomeTokenRewards(NDArray scores, NDArray mask) {
        NDArray m = Masked.weights(mask, scores);
        NDArray next = NDArrays.concat(
                new ai.djl.ndarray.NDList(
                        m.get(new NDIndex(":, 1:")), m.get(new NDIndex(":, :1")).zerosLike()),
                1);
        return m.sub(next).mul(scores.expandDims(1));
    }

    /**
     * REINFORCE++: return {@code G_{i,t} = Σ_{k≥t} γ^{k−t} m_{i,k} r_{i,k}}, then {@code A = whiten(G)} over the
     * valid tokens of the batch (masked mean, unbiased variance, {@code +1e-8} under the root).
     */
    public static NDArray reinforcePlusPlus(NDArray tokenRewards, NDArray mask, double gamma) {
        NDArray m = Masked.weights(mask, tokenRewards);
        NDArray returns =
                Masked.discountedReverseCumSum(tokenRewards.mul(m), gamma).mul(m);
        return Masked.whiten(returns, m, WHITEN_EPS);
    }

    /**
     * REINFORCE++-baseline without a KL term: {@code R_i ← R_i − mean_g(R)}, placed on the last valid token, then
     * {@link #reinforcePlusPlus}. With KL in the reward, compose it instead:
     * {@code reinforcePlusPlus(penalizeRewards(outcomeTokenRewards(drGrpo(R, g), m), kl, β, m), m, γ)}.
     */
    public static NDArray reinforcePlusPlusBaseline(NDArray scores, GroupIndex groups, NDArray mask, double gamma) {
        return reinforcePlusPlus(outcomeTokenRewards(drGrpo(scores, groups), mask), mask, gamma);
    }

    /** Advantages and critic targets from {@link #gae}. */
    public record GaeResult(NDArray advantages, NDArray returns) {}

    /**
     * Generalised advantage estimation on right-padded tensors, with {@code V} taken as 0 beyond the last valid token:
     * <pre>
     * δ_t = r_t + γ·m_{t+1}·V_{t+1} − V_t;   A_t = δ_t + γλ·A_{t+1};   Ret_t = A_t + V_t
     * </pre>
     * Both outputs are zero on padding. The advantages are not whitened: PPO whitens them with
     * {@link #whiten}, while the critic regresses on the unwhitened returns.
     */
    public static GaeResult gae(NDArray tokenRewards, NDArray values, NDArray mask, double gamma, double lambda) {
        NDArray m = Masked.weights(mask, values);
        NDArray v = values.mul(m);
        NDArray nextValues = NDArrays.concat(
                new ai.djl.ndarray.NDList(
                        v.get(new NDIndex(":, 1:")), v.get(new NDIndex(":, :1")).zerosLike()),
                1);
        NDArray delta = tokenRewards.add(nextValues.mul(gamma)).sub(v).mul(m);
        NDArray advantages =
                Masked.discountedReverseCumSum(delta, gamma * lambda).mul(m);
        return new GaeResult(advantages, advantages.add(v));
    }

    /** Global whitening over valid tokens, {@code m·(A − μ)/sqrt(σ² + 1e-8)} (see {@link Masked#whiten}). */
    public static NDArray whiten(NDArray advantages, NDArray mask) {
        return Masked.whiten(advantages, mask, WHITEN_EPS);
    }

    /**
     * Token advantages {@code [B, T]} (zero on padding) for any critic-free estimator, so a config can name it.
     * {@code klPenalty} is the per-token in-reward penalty {@code β·k} (or null): it is subtracted from the token
     * rewards of the return-based estimators (REINFORCE++ and its baseline variant); the group estimators take only
     * outcome scores, so combining them with a KL-in-reward penalty is an error.
     */
    public static NDArray forOutcomes(
            AdvantageEstimator estimator,
            NDArray scores,
            GroupIndex groups,
            NDArray mask,
            NDArray klPenalty,
            AdvantageOptions options) {
        switch (estimator) {
            case GRPO:
            case DR_GRPO:
            case RLOO:
                if (klPenalty != null) {
                    throw new IllegalArgumentException("KL in the reward needs a return-based advantage estimator"
                            + " (reinforce_pp, reinforce_pp_baseline, gae); " + estimator.configName()
                            + " uses outcome scores only: put the KL in the loss instead");
                }
                NDArray perSequence = estimator == AdvantageEstimator.RLOO
                        ? rloo(scores, groups)
                        : estimator == AdvantageEstimator.DR_GRPO
                                ? drGrpo(scores, groups)
                                : grpo(scores, groups, options.scaling(), options.eps());
                return Masked.broadcast(perSequence, mask);
            case REINFORCE_PP:
            case REINFORCE_PP_BASELINE:
                NDArray outcome = estimator == AdvantageEstimator.REINFORCE_PP ? scores : drGrpo(scores, groups);
                NDArray tokenRewards = outcomeTokenRewards(outcome, mask);
                if (klPenalty != null) {
                    tokenRewards = tokenRewards.sub(klPenalty.stopGradient().mul(Masked.weights(mask, klPenalty)));
                }
                return reinforcePlusPlus(tokenRewards, mask, options.gamma());
            case GAE:
                throw new IllegalArgumentException("gae needs critic values: call Advantages.gae");
            default:
                throw new IllegalArgumentException("unhandled advantage estimator " + estimator);
        }
    }

    /** Unbiased std of all scores, on scores shifted by the first one; 1 for a batch of one. */
    private static NDArray batchStd(NDArray scores) {
        long n = scores.getShape().get(0);
        if (n < 2) {
            return scores.onesLike();
        }
        NDArray shifted = scores.sub(scores.get(0));
        NDArray dev = shifted.sub(shifted.mean());
        return dev.square().sum().div(n - 1).sqrt();
    }

    /** Per-sample group statistics, each {@code [B]}. */
    private record GroupStats(NDArray deviation, NDArray groupVariance, NDArray size, NDArray single) {
        static GroupStats of(NDArray scores, GroupIndex groups) {
            groups.requireSamples(scores);
            NDManager mgr = scores.getManager();
            NDArray shifted = scores.sub(scores.get(groups.sampleGroupLeaders(mgr)));
            NDArray members = groups.membership(mgr, scores.getDataType());
            NDArray toSamples = members.transpose();
            NDArray size = groups.sampleGroupSizes(mgr, scores.getDataType());
            NDArray mean = toSamples.matMul(members.matMul(shifted)).div(size);
            NDArray dev = shifted.sub(mean);
            NDArray variance = toSamples
                    .matMul(members.matMul(dev.square()))
                    .div(size.sub(1).maximum(1));
            NDArray single = size.eq(1);
            // verl: a group of one has mean 0, so its deviation is the raw score
            return new GroupStats(NDArrays.where(single, scores, dev), variance, size, single);
        }
    }
}
