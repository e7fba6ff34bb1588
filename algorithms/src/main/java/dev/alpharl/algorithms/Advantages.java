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
        NDArray factor = s.size.div(s.size.sub(1).maximum(Constant.like(s.size, 1)));
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
        NDArray delta = tokenRewards
                .add(nextValues.mul(Constant.like(nextValues, gamma)))
                .sub(v)
                .mul(m);
        NDArray advantages =
                Masked.discountedReverseCumSum(delta, gamma * lambda).mul(m);
        return new GaeResult(advantages, advantages.add(v));
    }

    /** Global whitening over valid tokens, {@code m·(A − μ)/sqrt(σ² + 1e-8)} (see {@link Masked#whiten}). */
    public static NDArray whiten(NDArray advantages, NDArray mask) {
        return Masked.whiten(advantages, mask, WHITEN_EPS);
    }

    /**
     * PPO's advantages with a critic (ALGORITHMS.md §4.6): token rewards are the outcome score on the last valid
     * token minus the in-reward KL penalty {@code β·k·m} (when given), then {@link #gae} with the critic's values,
     * and the advantages whitened over the batch's valid tokens; the unwhitened returns are the critic's targets.
     */
    public static AdvantageEstimator.Result ppoGae(AdvantageEstimator.Input in) {
        NDArray tokenRewards = outcomeTokenRewards(in.scores(), in.mask());
        if (in.klPenalty() != null) {
            tokenRewards = tokenRewards.sub(in.klPenalty().mul(in.mask()));
        }
        GaeResult gae = gae(
                tokenRewards,
                in.values(),
                in.mask(),
                in.options().gamma(),
                in.options().lambda());
        return new AdvantageEstimator.Result(whiten(gae.advantages(), in.mask()), gae.returns());
    }

    /**
     * OPO (On-Policy RL with Optimal reward baseline, arXiv 2505.23585): the group baseline is the length-weighted
     * mean reward, which minimises the gradient variance when the gradient norm grows with the response length:
     * <pre>
     * b_g = Σ_{j∈g} |o_j|·R_j / Σ_{j∈g} |o_j|,   A_i = R_i − b_g
     * </pre>
     * |o_j| counts the valid tokens of response j. A group whose responses are all empty gets b = R of its first
     * member (its advantages touch no token). Equal rewards give exactly zero advantage.
     */
    public static NDArray opo(NDArray scores, GroupIndex groups, NDArray mask) {
        groups.requireSamples(scores);
        NDManager mgr = scores.getManager();
        NDArray lengths = Masked.lengths(Masked.weights(mask, scores), scores);
        NDArray shifted = scores.sub(scores.get(groups.sampleGroupLeaders(mgr)));
        NDArray members = groups.membership(mgr, scores.getDataType());
        NDArray toSamples = members.transpose();
        NDArray weighted = toSamples.matMul(members.matMul(shifted.mul(lengths)));
        NDArray total = toSamples.matMul(members.matMul(lengths));
        return shifted.sub(weighted.div(total.maximum(Constant.like(total, 1))));
    }

    /** Unbiased std of all scores, on scores shifted by the first one; 1 for a batch of one. */
    private static NDArray batchStd(NDArray scores) {
        long n = scores.getShape().get(0);
        if (n < 2) {
            return scores.onesLike();
        }
        NDArray shifted = scores.sub(scores.get(0));
        NDArray dev = shifted.sub(shifted.mean());
        return dev.square().sum().div(Constant.like(dev, n - 1)).sqrt();
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
                    .div(size.sub(1).maximum(Constant.like(size, 1)));
            NDArray single = size.eq(1);
            // verl: a group of one has mean 0, so its deviation is the raw score
            return new GroupStats(NDArrays.where(single, scores, dev), variance, size, single);
        }
    }
}
