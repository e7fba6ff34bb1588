package dev.alpharl.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Collection;

/** Global-norm gradient clipping with the semantics of {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * The global L2 norm ‖g‖ = sqrt(Σ_p Σ g_p²) over the gradients of {@code weights} (one host sync).
     * Arrays without a gradient are skipped. NaN or ±Inf when any gradient entry is non-finite.
     */
    public static double globalNorm(Collection<NDArray> weights, NDManager step) {
        try (NDManager tmp = step.newSubManager()) {
            NDList squares = new NDList();
            for (NDArray w : weights) {
                if (w.hasGradient()) {
                    NDArray g = w.getGradient();
                    g.attach(tmp);
                    squares.add(g.square().sum());
                }
            }
            return squares.isEmpty()
                    ? 0.0
                    : Math.sqrt(NDArrays.stack(squares)
                            .sum()
                            .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                            .getDouble());
        }
    }

    /**
     * Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)) in place and returns the pre-clip norm ‖g‖.
     * A non-finite norm is returned without touching the gradients: the caller must skip the update.
     * {@code maxNorm <= 0} disables clipping (the norm is still returned, as a diagnostic).
     */
    public static double clip(Collection<NDArray> weights, double maxNorm, NDManager step) {
        double norm = globalNorm(weights, step);
        if (!Double.isFinite(norm) || maxNorm <= 0) {
            return norm;
        }
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1.0) {
            try (NDManager tmp = step.newSubManager()) {
                for (NDArray w : weights) {
                    if (w.hasGradient()) {
                        NDArray g = w.getGradient();
                        g.attach(tmp);
                        g.muli((float) coef);
                    }
                }
            }
        }
        return norm;
    }
}
