package dev.alpharl.trainer.report;

import dev.alpharl.trainer.eval.EvalResult;

/**
 * The keys of one metrics.jsonl line that a comparison uses. Absent or null (non-finite) values are NaN;
 * {@code evalN} is 0 on lines without an evaluation.
 */
public record MetricsLine(
        int step, double timeS, double rewardMean, double tokensTotal, double evalAccuracy, int evalN) {
    public boolean hasEval() {
        return !Double.isNaN(evalAccuracy) && evalN > 0;
    }

    /** This line's evaluation; only valid when {@link #hasEval()}. */
    public EvalResult eval() {
        return EvalResult.ofAccuracy(evalAccuracy, evalN);
    }
}
