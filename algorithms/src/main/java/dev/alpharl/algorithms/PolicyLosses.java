package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * Per-token policy losses {@code L_{i,t}} ({@code [B, T]}, to be aggregated by an {@link AggregationPlan}). Inputs:
 * {@code logp} = l (current policy, differentiable), {@code oldLogp} = l_old, {@code advantages} = A broadcast to
 * tokens, all {@code [B, T]}. The log-ratio is clamped to ±{@value #LOG_RATIO_CLAMP} (verl, OpenRLHF).
 */
public final class PolicyLosses {
    /** Clamp of {@code l − l_old} before {@code exp}. */
    public static final double LOG_RATIO_CLAMP = 20;
    /** verl's upper clamp of GSPO's per-token log sequence ratio. */
    public static final double GSPO_LOG_RATIO_MAX = 10;

    private PolicyLosses() {}

    /**
     * PPO clipped surrogate with decoupled clip and optional dual clip:
     * <pre>
     * r = exp(clamp(l − l_old, −20, 20))
     * L = max(−A·r, −A·clip(r, 1 − eps_low, 1 + eps_high))
     * dual clip, only where A &lt; 0:  L = min(L, −c·A)
     * </pre>
     * Clip indicators: high where A &gt; 0 and r &gt; 1 + eps_high, low where A &lt; 0 and r &lt; 1 − eps_low, dual
     * where A &lt; 0 and L &gt; −c·A (i.e. max(r, clip(r)) &gt; c).
     */
    public static PolicyLossOutput ppoClip(NDArray logp, NDArray oldLogp, NDArray advantages, ClipRange clip) {
        requireSameShape(logp, oldLogp, advantages);
        NDArray ratio =
                logp.sub(oldLogp).clip(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP).exp();
        return clippedSurrogate(ratio, advantages, clip);
    }

    /**
     * GSPO: the length-normalised sequence ratio {@code s_i = exp((1/|o_i|) Σ_t m(l − l_old))} in verl's token form
     * <pre>
     * log s_{i,t} = min(sg[log s_i] + l_{i,t} − sg[l_{i,t}], 10)
     * L_{i,t}     = max(−A·s_{i,t}, −A·clip(s_{i,t}, 1 − eps_low, 1 + eps_high))
     * </pre>
     * which has the value of the sequence-level loss and per-token gradient paths; aggregate with
     * {@link LossAggregation#SEQ_MEAN_TOKEN_MEAN}, which makes the gradient that of {@code −min(s_i A_i, clip(s_i) A_i)}.
     * {@code |o_i|} is taken as at least 1, so fully masked rows give ratio 1. The dual clip is applied when set.
     */
    public static PolicyLossOutput gspo(
            NDArray logp, NDArray oldLogp, NDArray advantages, NDArray mask, ClipRange clip) {
        requireSameShape(logp, oldLogp, advantages);
        NDArray m = Masked.weights(mask, logp);
        NDArray seqLogRatio = logp.sub(oldLogp)
                .mul(m)
                .sum(new int[] {1})
                .div(Masked.lengths(m, logp).maximum(Constant.like(logp, 1)));
        NDArray tokenLogRatio = seqLogRatio
                .stopGradient()
                .expandDims(1)
                .add(logp.sub(logp.stopGradient()))
                .minimum(Constant.like(logp, GSPO_LOG_RATIO_MAX));
        return clippedSurrogate(tokenLogRatio.exp(), advantages, clip);
    }

    /**
     * CISPO (MiniMax-M1): a REINFORCE loss weighted by the clipped, detached importance ratio, so every token keeps a
     * gradient:
     * <pre>
     * L = −sg[clip(r, 1 − eps_low, 1 + eps_high)]·A·l,   r = exp(clamp(l − l_old, −20, 20))
     * </pre>
     * TRL clips only from above: use {@code epsLow = ∞}. Indicators mark where the weight was truncated
     * (r above or below the range), whatever the sign of A; the dual clip does not apply.
     */
    public static PolicyLossOutput cispo(NDArray logp, NDArray oldLogp, NDArray advantages, ClipRange clip) {
        requireSameShape(logp, oldLogp, advantages);
        NDArray ratio =
                logp.sub(oldLogp).clip(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP).exp().stopGradient();
        NDArray weight = ratio.clip(clip.lower(), clip.upper());
        NDArray loss = weight.mul(advantages).mul(logp).neg();
        return new PolicyLossOutput(
                loss,
                ratio,
                indicator(ratio.lt(clip.lower()), logp),
                indicator(ratio.gt(clip.upper()), logp),
                logp.zerosLike().stopGradient());
    }

    /** Entropy bonus folded into the per-token loss: {@code L − c_H·H} (same normaliser as the policy term). */
    public static NDArray withEntropyBonus(NDArray loss, NDArray entropy, double coef) {
        return coef == 0 ? loss : loss.sub(entropy.mul(Constant.like(entropy, coef)));
    }

    /** The clipped surrogate for a given (possibly token-form) ratio; shared by PPO and GSPO. */
    private static PolicyLossOutput clippedSurrogate(NDArray ratio, NDArray advantages, ClipRange clip) {
        NDArray unclipped = advantages.mul(ratio).neg();
        NDArray clipped = advantages.mul(ratio.clip(clip.lower(), clip.upper())).neg();
        NDArray loss = unclipped.maximum(clipped);
        NDArray negative = advantages.lt(0);
        NDArray dual = ratio.zerosLike().stopGradient();
        if (clip.dualClip()) {
            NDArray cap = advantages.mul(Constant.like(advantages, -clip.dualClipC()));
            NDArray capped = loss.minimum(cap);
            NDArray dualActive = negative.logicalAnd(loss.gt(cap));
            loss = NDArrays.where(negative, capped, loss);
            dual = indicator(dualActive, ratio);
        }
        NDArray detached = ratio.stopGradient();
        NDArray low = indicator(negative.logicalAnd(detached.lt(clip.lower())), ratio);
        NDArray high = indicator(advantages.gt(0).logicalAnd(detached.gt(clip.upper())), ratio);
        return new PolicyLossOutput(loss, detached, low, high, dual);
    }

    /** A boolean condition as a 0/1 matrix of {@code like}'s dtype (a constant: not part of any graph). */
    static NDArray indicator(NDArray condition, NDArray like) {
        return condition.toType(like.getDataType(), false);
    }

    static void requireSameShape(NDArray logp, NDArray oldLogp, NDArray advantages) {
        if (!logp.getShape().equals(oldLogp.getShape()) || !logp.getShape().equals(advantages.getShape())) {
            throw new IllegalArgumentException("logp, oldLogp and token advantages must share one [B, T] shape, got "
                    + logp.getShape() + ", " + oldLogp.getShape() + ", " + advantages.getShape()
                    + " (broadcast per-sequence advantages with Masked.broadcast)");
        }
    }
}
