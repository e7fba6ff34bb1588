package dev.alpharl.trainer.optim;

import ai.djl.ndarray.NDArray;
import dev.alpharl.trainer.tensor.TorchOps;
import java.util.Collection;
import java.util.List;

/**
 * Global-norm gradient clipping with the semantics of {@code torch.nn.utils.clip_grad_norm_}, as one native call
 * over all gradients ({@link TorchOps#clipGradNorm}).
 */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * The global L2 norm ‖g‖ = sqrt(Σ_p ‖g_p‖²) over the gradients of {@code weights} (one host sync).
     * Arrays without a gradient are skipped. NaN or ±Inf when any gradient entry is non-finite.
     */
    public static double globalNorm(Collection<NDArray> weights) {
        return clip(weights, 0.0);
    }

    /**
     * Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)) in place and returns the pre-clip norm ‖g‖.
     * A non-finite norm is returned without touching the gradients: the caller must skip the update.
     * {@code maxNorm <= 0} disables clipping (the norm is still returned, as a diagnostic).
     */
    public static double clip(Collection<NDArray> weights, double maxNorm) {
        if (weights.isEmpty()) {
            return 0.0;
        }
        List<NDArray> list = List.copyOf(weights);
        return TorchOps.of(list.get(0)).clipGradNorm(list, maxNorm);
    }
}
