package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * Detached per-step diagnostics, each a masked mean over valid tokens (0 when nothing is valid), returned as scalar
 * NDArrays so the caller decides when to synchronise.
 */
public final class Diagnostics {
    /** Floor for log-probabilities inside the entropy sum, so {@code p·log p} is 0 (not NaN) where p = 0. */
    private static final double LOG_PROB_FLOOR = -1e4;

    private Diagnostics() {}

    /** Fractions of valid tokens where the lower, upper and dual clip were active; {@code total = low + high}. */
    public record ClipFractions(NDArray low, NDArray high, NDArray dual) {
        public NDArray total() {
            return low.add(high);
        }
    }

    public static ClipFractions clipFractions(PolicyLossOutput output, NDArray mask) {
        return new ClipFractions(
                Masked.mean(output.clippedLow(), mask),
                Masked.mean(output.clippedHigh(), mask),
                Masked.mean(output.dualClipped(), mask));
    }

    /** Approximate KL(π_old‖π): {@code mean(−logr) = mean(l_old − l)} with the same ±20 clamp as the losses. */
    public static NDArray approxKl(NDArray logp, NDArray oldLogp, NDArray mask) {
        NDArray negLogRatio = oldLogp.sub(logp).clip(-PolicyLosses.LOG_RATIO_CLAMP, PolicyLosses.LOG_RATIO_CLAMP);
        return Masked.mean(negLogRatio.stopGradient(), mask);
    }

    /** Mean importance ratio over valid tokens. */
    public static NDArray meanRatio(PolicyLossOutput output, NDArray mask) {
        return Masked.mean(output.ratio(), mask);
    }

    /**
     * Per-token entropy {@code H_{i,t} = −Σ_v p_v log p_v} from logits {@code [B, T, V]}, via a log-softmax over the
     * last axis; differentiable, so it can also serve as the entropy-bonus term. Returns {@code [B, T]}.
     */
    public static NDArray entropyFromLogits(NDArray logits) {
        return entropyFromLogProbs(logits.logSoftmax(-1));
    }

    /**
     * Per-token entropy from normalised log-probabilities {@code [B, T, V]}: {@code −Σ_v exp(lp_v)·lp_v}. Entries of
     * −∞ (masked vocabulary) contribute 0.
     */
    public static NDArray entropyFromLogProbs(NDArray logProbs) {
        return logProbs.exp()
                .mul(logProbs.maximum(Constant.like(logProbs, LOG_PROB_FLOOR)))
                .sum(new int[] {-1})
                .neg();
    }

    /** Masked mean of a per-token matrix (e.g. entropy), detached. */
    public static NDArray maskedMean(NDArray perToken, NDArray mask) {
        return Masked.mean(perToken.stopGradient(), mask);
    }
}
