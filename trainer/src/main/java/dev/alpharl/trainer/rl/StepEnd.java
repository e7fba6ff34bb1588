package dev.alpharl.trainer.rl;

import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.metrics.StepRecord;
import dev.alpharl.trainer.model.QwenModel;

/**
 * One finished step as the callbacks see it, in order: a callback may add metrics to the step's record, and the
 * evaluation callback attaches the step's held-out evaluation for the ones after it (AlphaRL).
 */
public final class StepEnd {
    private final long step;
    private final QwenModel policy;
    private final double rewardMean;
    private final StepRecord.Builder record;
    private final NDManager scratch;
    private EvalResult eval;

    /**
     * @param step       the step just finished (1-based)
     * @param policy     the live policy after the step's update; a callback may write new weights into it
     * @param rewardMean the step's mean rollout reward
     * @param record     the step's metrics line being built
     * @param scratch    a manager closed when the callbacks of this step return
     */
    public StepEnd(long step, QwenModel policy, double rewardMean, StepRecord.Builder record, NDManager scratch) {
        this.step = step;
        this.policy = policy;
        this.rewardMean = rewardMean;
        this.record = record;
        this.scratch = scratch;
    }

    public long step() {
        return step;
    }

    public QwenModel policy() {
        return policy;
    }

    public double rewardMean() {
        return rewardMean;
    }

    public StepRecord.Builder record() {
        return record;
    }

    public NDManager scratch() {
        return scratch;
    }

    /** The step's held-out evaluation, or null when the step did not evaluate. */
    public EvalResult eval() {
        return eval;
    }

    /** Attaches the step's evaluation and puts it in the step's metrics line. */
    public void evaluated(EvalResult result) {
        this.eval = result;
        record.eval(result.accuracy(), result.graded())
                .put("eval/greedy_accuracy", result.greedyAccuracy())
                .put("eval/pass_at_n", result.passAtN());
    }
}
