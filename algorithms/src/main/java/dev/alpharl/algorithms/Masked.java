package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/** Masked reductions over {@code [B, T]} token tensors; every one is NaN-free when the mask is all zero. */
public final class Masked {
    private Masked() {}

    /** The mask as weights of {@code like}'s dtype (a constant, so the cast does not touch any graph). */
    public static NDArray weights(NDArray mask, NDArray like) {
        return mask.getDataType() == like.getDataType() ? mask : mask.toType(like.getDataType(), false);
    }

    /** {@code Σ_{i,t} m·x} as a scalar. */
    public static NDArray sum(NDArray x, NDArray mask) {
        return x.mul(weights(mask, x)).sum();
    }

    /** {@code Σ m·x / max(Σ m, 1)}: the masked mean, 0 when nothing is valid. */
    public static NDArray mean(NDArray x, NDArray mask) {
        NDArray m = weights(mask, x);
        return x.mul(m).sum().div(m.sum().maximum(Constant.like(m, 1)));
    }

    /** Valid tokens per row, {@code |o_i| = Σ_t m_{i,t}}, shape {@code [B]}, in {@code like}'s dtype. */
    public static NDArray lengths(NDArray mask, NDArray like) {
        return weights(mask, like).sum(new int[] {1});
    }

    /**
     * Whitening over the valid tokens of the whole batch: {@code m·(x − μ) / sqrt(σ² + eps)} with the masked mean
     * μ and the unbiased masked variance σ² (taken as 0 when fewer than two tokens are valid).
     */
    public static NDArray whiten(NDArray x, NDArray mask, double eps) {
        NDArray m = weights(mask, x);
        NDArray n = m.sum();
        NDArray mu = x.mul(m).sum().div(n.maximum(Constant.like(n, 1)));
        NDArray centred = x.sub(mu).mul(m);
        NDArray var = centred.square().sum().div(n.sub(1).maximum(Constant.like(n, 1)));
        return centred.div(var.add(eps).sqrt());
    }

    /** A per-sequence value {@code [B]} broadcast over the valid tokens: {@code out_{i,t} = v_i · m_{i,t}}. */
    public static NDArray broadcast(NDArray perSequence, NDArray mask) {
        return perSequence.expandDims(1).mul(weights(mask, perSequence));
    }

    /**
     * Reverse discounted cumulative sum along the time axis: {@code y_t = x_t + f·y_{t+1}}, {@code y_T = 0}.
     * Runs T small column ops on a private sub-manager; the result is attached to {@code x}'s manager.
     */
    static NDArray discountedReverseCumSum(NDArray x, double factor) {
        int steps = Math.toIntExact(x.getShape().get(1));
        if (steps == 0) {
            return x.duplicate();
        }
        NDManager owner = x.getManager();
        try (NDManager tmp = owner.newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(tmp);
            NDArray[] columns = new NDArray[steps];
            NDArray acc = null;
            for (int t = steps - 1; t >= 0; t--) {
                NDArray column = xs.get(new NDIndex(":, {}", t));
                acc = acc == null ? column : column.add(acc.mul(Constant.like(acc, factor)));
                columns[t] = acc;
            }
            NDArray out = NDArrays.stack(new NDList(columns), 1);
            out.attach(owner);
            return out;
        }
    }
}
