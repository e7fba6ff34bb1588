package dev.alpharl.trainer.alpharl;

import java.util.List;

/**
 * The offline rank-1 analysis of an RL run (ALPHARL.md §3, §11), JSON-serialisable.
 *
 * @param ySource        {@code evaluator} (y = accuracy of each checkpoint) or {@code step} (no evaluator given)
 * @param fitCheckpoints how many of the first checkpoints form the fit window; the rest are held out
 * @param rankPercent    p of the Rank-p% reconstruction
 * @param recovery       recovery of the final update's gain by the reconstructions, or null when not evaluated
 * @param recoveryNote   why recovery is null, or null
 */
public record Rank1AnalysisReport(
        List<Long> steps,
        List<Double> y,
        String ySource,
        int fitCheckpoints,
        double rankPercent,
        Summary summary,
        Recovery recovery,
        String recoveryNote,
        List<MatrixAnalysis> matrices) {

    /**
     * Per matrix. PLS R² are in-sample over all checkpoints, of the aligned unit u1(t) on y (the paper's protocol)
     * and of its two controls (y shuffled; iid Gaussian rows). The coefficient c_t = u1(k)ᵀ ΔW_t v1(k) and σ1(t)
     * are fit linearly in the step over the fit window and judged on the held-out checkpoints; the random-walk
     * control is a walk in R^{d_out} whose step norms match ‖a_t − a_{t−1}‖, projected on its window-end direction.
     */
    public record MatrixAnalysis(
            String name,
            long rows,
            long cols,
            double energyFraction,
            double gapRatio,
            List<Double> uStability,
            List<Double> vStability,
            double plsR2,
            double plsR2ShuffledY,
            double plsR2IidRows,
            double coefficientR2InSample,
            double coefficientR2OutOfSample,
            double coefficientEndpointError,
            double randomWalkR2OutOfSample,
            double randomWalkEndpointError,
            double sigmaR2InSample,
            double sigmaR2OutOfSample) {}

    /**
     * Medians over matrices ({@code medianFinalWindowUStability}: |u1(k)·u1(T)| at the fit window's end k), and the share of matrices passing Law 2b (OOS R² ≥ 0.9 and endpoint error ≤ 0.1).
     */
    public record Summary(
            int matrices,
            double medianEnergyFraction,
            double medianFinalWindowUStability,
            double medianPlsR2,
            double medianPlsR2ShuffledY,
            double medianPlsR2IidRows,
            double medianCoefficientR2OutOfSample,
            double medianCoefficientEndpointError,
            double medianRandomWalkR2OutOfSample,
            double medianRandomWalkEndpointError,
            double law2bPassShare,
            double law2bRandomWalkPassShare) {}

    /** Accuracies and recovery ratios ρ = (A(W) − A(W_0)) / (A(W_T) − A(W_0)). */
    public record Recovery(
            double base,
            double last,
            double rank1,
            double rankPercent,
            double rank1Recovery,
            double rankPercentRecovery) {}
}
