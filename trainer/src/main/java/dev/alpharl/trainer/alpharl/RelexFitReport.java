package dev.alpharl.trainer.alpharl;

import java.util.List;

/**
 * What a RELEX prediction did (JSON-serialisable).
 *
 * @param steps the window's steps (the regressor τ of the linear fit)
 */
public record RelexFitReport(String method, long targetStep, List<Long> steps, List<TensorFit> tensors) {

    /**
     * @param explainedVariance λ1 / Σλ of the tensor's Gram matrix (rank-1 share of the trajectory)
     * @param slope             α of c(τ) = α·τ + β
     * @param rSquared          in-sample R² of that line
     * @param lastCoefficient   c at the window's last step
     * @param targetCoefficient c(s*) used for the prediction
     */
    public record TensorFit(
            String name,
            double explainedVariance,
            double slope,
            double intercept,
            double rSquared,
            double lastCoefficient,
            double targetCoefficient) {}
}
