package dev.alpharl.trainer.alpharl;

import java.util.List;

/**
 * The offline rank-1 analysis of an RL run (ALPHARL.md §3, §11), JSON-serialisable.
 *
 * @param ySource         {@code evaluator} (y = accuracy of each checkpoint) or {@code step} (no evaluator given)
 * @param yReward         each checkpoint's rollout reward (mean over the steps since the previous one), or null
 *                        when no metrics were given
 * @param fitCheckpoints  how many of the first checkpoints form the fit window; the rest are held out
 * @param rankPercent     p of the Rank-p% reconstruction
 * @param windowDirection Law 2 on the window end's direction (u1(k), v1(k)), summarised over matrices
 * @param finalDirection  Law 2 on the last checkpoint's direction (u1(T), v1(T)), summarised over matrices
 * @param coherence       coherence of successive increments (drift vs diffusion)
 * @param verdict         pass/fail of each law against its threshold
 * @param recovery        recovery of the final update's gain by the reconstructions, or null when not evaluated
 * @param rankRecovery    recovery by rank-k reconstructions and their random control, or null when not evaluated
 * @param recoveryNote    why recovery is null, or null
 */
public record Rank1AnalysisReport(
        List<Long> steps,
        List<Double> y,
        String ySource,
        List<Double> yReward,
        int fitCheckpoints,
        double rankPercent,
        Summary summary,
        DirectionSummary windowDirection,
        DirectionSummary finalDirection,
        Coherence coherence,
        Verdict verdict,
        Recovery recovery,
        List<RankRecovery> rankRecovery,
        String recoveryNote,
        List<MatrixAnalysis> matrices) {

    /**
     * Per matrix. PLS R² are in-sample over all checkpoints, of the aligned unit u1(t) on y (the paper's protocol)
     * and of its two controls (y shuffled; iid Gaussian rows). The coefficient c_t = u1(k)ᵀ ΔW_t v1(k) and σ1(t)
     * are fit linearly in the step over the fit window and judged on the held-out checkpoints; the random-walk
     * control is a walk in R^{d_out} whose step norms match ‖a_t − a_{t−1}‖, projected on its window-end direction.
     * {@code incrementCoherence} is the matrix's mean cosine of successive increments ({@link IncrementCoherence});
     * {@code windowDirection} and {@code finalDirection} are Law 2 on (u1(k), v1(k)) and on (u1(T), v1(T)).
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
            double sigmaR2OutOfSample,
            double incrementCoherence,
            DirectionLaw windowDirection,
            DirectionLaw finalDirection) {}

    /**
     * Law 2 of one matrix on one fixed direction (u, v): the coefficients c_t = uᵀ ΔW_t v, their line in the step
     * ({@link CoefficientLine}) and the response's line in c with its oracle inversion ({@link ResponseLine}) for
     * y = accuracy and y = rollout reward (null when that y is not available).
     */
    public record DirectionLaw(
            List<Double> coefficients, CoefficientLine step, ResponseLine accuracy, ResponseLine reward) {}

    /**
     * Law 2 on one kind of direction, over matrices: the share passing (OOS R² ≥ 0.9 and endpoint error ≤ 0.1 of
     * c_t's line in the step) and medians (NaN when not available).
     */
    public record DirectionSummary(
            double law2PassShare,
            double medianStepR2OutOfSample,
            double medianOvershoot,
            double medianAccuracyR2OutOfSample,
            double medianAccuracyOracleRatio,
            double medianRewardR2OutOfSample,
            double medianRewardOracleRatio) {}

    /**
     * Coherence of successive increments: the pooled cosine of each transition over all tensors, and the mean
     * over transitions pooled over all tensors, over the tracked matrices, over the other tensors, and the median
     * of the matrices' own means. {@code regime}: drift (matrices ≥ 0.5), diffusion (|·| &lt; 0.25), oscillation
     * (≤ −0.25) or mixed.
     */
    public record Coherence(
            List<Double> perTransition,
            double allTensors,
            double matrices,
            double otherTensors,
            double medianMatrix,
            String regime) {}

    /**
     * Each law against its threshold (ALPHARL.md §11); null where it needs an evaluator that was not given.
     *
     * @param drift      coherence over the matrices ≥ 0.5
     * @param rank1      rank-1 (rescaled, other tensors at W_T) recovers ≥ 0.9 of the gain (null also without a gain)
     * @param law2Window at least half the matrices pass Law 2 on the window's direction
     * @param law2Final  at least half the matrices pass Law 2 on the final direction
     * @param oracle     median |oracle ratio − 1| ≤ 0.1 on the window's direction with y = accuracy
     * @param passes     every non-null verdict holds
     */
    public record Verdict(
            boolean drift, Boolean rank1, boolean law2Window, boolean law2Final, Boolean oracle, boolean passes) {}

    /**
     * Recovery ρ = (A(W) − A(W_0)) / (A(W_T) − A(W_0)) of one reconstruction ({@link RankReconstruction}).
     *
     * @param rank "1", "2", "4", "8" or "all"
     * @param kind rescaled, unscaled or random
     * @param rest W_T or W_0: where the untracked tensors were taken
     */
    public record RankRecovery(String rank, String kind, String rest, double accuracy, double recovery) {}

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
