package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * Per-token estimators of KL(π‖π_ref) from {@code x = l − l_ref} (http://joschu.net/blog/kl-approx.html), with the
 * clamps of ALGORITHMS.md §5: x is clamped to ±{@value #LOG_RATIO_CLAMP} and the k3 value to
 * ±{@value #K3_CLAMP}. Config names follow the doc, with verl's names as aliases.
 */
public enum KlEstimator {
    /** {@code k1 = x}: unbiased value, the usual reward penalty; its expected gradient is 0 as a loss. */
    K1("k1", "kl"),
    /** {@code k2 = ½x²}: its gradient is the reverse-KL gradient. */
    K2("k2", "mse"),
    /** {@code k3 = exp(−x) − 1 + x}, clamped to ±10 (verl "low_var_kl"). */
    K3("k3", "low_var_kl"),
    /** {@code |x|} (verl only). */
    ABS("abs"),
    /** Value of k1, gradient of k2: {@code k2 − sg[k2] + sg[k1]}. */
    K1_PLUS("k1+", "kl+"),
    /** Value of k3, gradient of k2: {@code k2 − sg[k2] + sg[k3]}. */
    K3_PLUS("k3+", "low_var_kl+");

    public static final double LOG_RATIO_CLAMP = 20;
    public static final double K3_CLAMP = 10;

    private final String[] names;

    KlEstimator(String... names) {
        this.names = names;
    }

    public String configName() {
        return names[0];
    }

    public static KlEstimator fromConfigName(String name) {
        return ConfigNames.parse(KlEstimator.class, "KL estimator", name, e -> e.names);
    }

    /** The per-token estimate {@code [B, T]} (differentiable in {@code logp}; padding is left to the caller). */
    public NDArray estimate(NDArray logp, NDArray refLogp) {
        NDArray x = logp.sub(refLogp).clip(-LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
        switch (this) {
            case K1:
                return x;
            case K2:
                return k2(x);
            case K3:
                return k3(x);
            case ABS:
                return x.abs();
            case K1_PLUS:
                return straightThrough(k2(x), x);
            case K3_PLUS:
                return straightThrough(k2(x), k3(x));
            default:
                throw new IllegalStateException("unhandled KL estimator " + this);
        }
    }

    private static NDArray k2(NDArray x) {
        return x.square().mul(0.5);
    }

    private static NDArray k3(NDArray x) {
        return x.neg().exp().sub(1).add(x).clip(-K3_CLAMP, K3_CLAMP);
    }

    /** {@code g − sg[g] + sg[v]}: the value of v with the gradient of g. */
    private static NDArray straightThrough(NDArray gradientOf, NDArray valueOf) {
        return gradientOf.sub(gradientOf.stopGradient()).add(valueOf.stopGradient());
    }
}
