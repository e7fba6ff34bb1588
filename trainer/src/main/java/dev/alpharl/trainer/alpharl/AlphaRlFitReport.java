package dev.alpharl.trainer.alpharl;

import java.util.List;

/**
 * What an AlphaRL prediction did, per matrix and overall (JSON-serialisable with Jackson).
 *
 * @param ySource      {@code eval_accuracy} when every window snapshot has one, else {@code mean_reward}
 * @param windowSteps  steps of the snapshots used, oldest first
 * @param windowY      the response at each of them
 * @param predicted    number of matrices that received a rank-1 prediction
 */
public record AlphaRlFitReport(
        String method,
        String assembly,
        double targetReward,
        String ySource,
        List<Long> windowSteps,
        List<Double> windowY,
        boolean scaleX,
        int predicted,
        int excluded,
        List<MatrixFit> matrices) {

    /**
     * @param rSquared    in-sample PLS1 R² (never a pass criterion on its own: ALPHARL.md §3)
     * @param slope       b, the regression coefficient of y on the PLS score
     * @param tauStar     τ* at the target (after capping), NaN when rejected
     * @param gapRatio    σ2/σ1 at the window's last snapshot
     * @param overlap     |u1(k)·u1(k−1)| (NaN with one snapshot)
     * @param fallback    whether the last snapshot needed the exact-SVD fallback of block Lanczos
     * @param excluded    why the matrix kept its base instead of a prediction, or null
     */
    public record MatrixFit(
            String name,
            double rSquared,
            double slope,
            double tauStar,
            boolean capped,
            double gapRatio,
            double overlap,
            boolean fallback,
            double predictedNorm,
            double lastNorm,
            String excluded) {}
}
