package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * The KL estimators of http://joschu.net/blog/kl-approx.html on {@code x = clamp(l − l_ref, ±20)}, with the k3
 * value clamped to ±{@value #K3_CLAMP} (ALGORITHMS.md §5).
 */
public final class KlEstimators {
    public static final double LOG_RATIO_CLAMP = 20;
    public static final double K3_CLAMP = 10;

    private KlEstimators() {}

    /** {@code k1 = x}: unbiased value, the usual reward penalty; its expected gradient is 0 as a loss. */
    public static NDArray k1(NDArray logp, NDArray refLogp) {
        return logRatio(logp, refLogp);
    }

    /** {@code k2 = ½x²}: its gradient is the reverse-KL gradient. */
    public static NDArray k2(NDArray logp, NDArray refLogp) {
        return k2(logRatio(logp, refLogp));
    }

    /** {@code k3 = exp(−x) − 1 + x}, clamped to ±10 (verl "low_var_kl"). */
    public static NDArray k3(NDArray logp, NDArray refLogp) {
        return k3(logRatio(logp, refLogp));
    }

    /** {@code |x|} (verl only). */
    public static NDArray abs(NDArray logp, NDArray refLogp) {
        return logRatio(logp, refLogp).abs();
    }

    /** Value of k1, gradient of k2: {@code k2 − sg[k2] + sg[k1]}. */
    public static NDArray k1Plus(NDArray logp, NDArray refLogp) {
        NDArray x = logRatio(logp, refLogp);
        return straightThrough(k2(x), x);
    }

    /** Value of k3, gradient of k2: {@code k2 − sg[k2] + sg[k3]}. */
    public static NDArray k3Plus(NDArray logp, NDArray refLogp) {
        NDArray x = logRatio(logp, refLogp);
        return straightThrough(k2(x), k3(x));
    }

    private static NDArray logRatio(NDArray logp, NDArray refLogp) {
        return logp.sub(refLogp).clip(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
    }

    private static NDArray k2(NDArray x) {
        return x.square().mul(Constant.like(x, 0.5));
    }

    private static NDArray k3(NDArray x) {
        return x.neg().exp().sub(1).add(x).clip(-K3_CLAMP, K3_CLAMP);
    }

    /** {@code g − sg[g] + sg[v]}: the value of v with the gradient of g. */
    private static NDArray straightThrough(NDArray gradientOf, NDArray valueOf) {
        return gradientOf.sub(gradientOf.stopGradient()).add(valueOf.stopGradient());
    }
}
