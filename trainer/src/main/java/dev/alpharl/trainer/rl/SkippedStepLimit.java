package dev.alpharl.trainer.rl;

import dev.alpharl.trainer.metrics.StepRecord;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code trainer.max-skipped-steps}: counts the steps in a row that applied no optimizer step (every group had equal
 * rewards, or every update had a non-finite loss or gradient) and says when there were too many. Without it such a
 * run finishes with every step skipped and its weights unchanged, exit 0. The count starts again when a run resumes.
 */
final class SkippedStepLimit {

    /** The reason {@link RlTrainer} gives a step whose groups all had equal rewards. */
    static final String NO_REWARD_VARIANCE = "no reward variance";

    static final String NON_FINITE = "non-finite loss or gradient";

    private final int limit;
    private long optimizerSteps;
    private int inARow;
    private long firstSkipped;
    private final Map<String, Integer> reasons = new LinkedHashMap<>();

    /**
     * @param limit          the key's value (0: never stop)
     * @param optimizerSteps the optimizer's step count before the first step observed
     */
    SkippedStepLimit(int limit, long optimizerSteps) {
        this.limit = limit;
        this.optimizerSteps = optimizerSteps;
    }

    /**
     * Observes a finished step, given the optimizer's step count after it; true when it is the limit-th step in a
     * row without an optimizer step.
     */
    boolean reached(long step, long optimizerStepsNow, StepRecord record) {
        if (optimizerStepsNow != optimizerSteps) {
            optimizerSteps = optimizerStepsNow;
            inARow = 0;
            reasons.clear();
            return false;
        }
        if (inARow == 0) {
            firstSkipped = step;
        }
        inARow++;
        reasons.merge(reason(record), 1, Integer::sum);
        return limit > 0 && inARow >= limit;
    }

    private static String reason(StepRecord r) {
        if (r.skipReason() != null) {
            return r.skipReason();
        }
        return r.has("update/skipped_optimizer_steps") ? NON_FINITE : "no optimizer step";
    }

    /** The error that stops the run, once {@link #reached} said so and a checkpoint was written. */
    StalledRunException failure(long step, Path checkpoint) {
        String why = reasons.entrySet().stream()
                .map(e -> e.getValue() + " with " + e.getKey())
                .collect(Collectors.joining(", "));
        StringBuilder fix = new StringBuilder();
        if (reasons.containsKey(NO_REWARD_VARIANCE)) {
            fix.append("every group of completions got equal rewards: check that the rewards can tell completions "
                    + "apart on data.train (rewards, data.train's answers, data.prompt-template) or sample more "
                    + "diverse groups (rollout.temperature, rollout.group-size); ");
        }
        if (reasons.containsKey(NON_FINITE)) {
            fix.append("every update was non-finite: lower optim.lr, check optim.grad-clip and the weights of "
                    + "model.path; ");
        }
        return new StalledRunException("trainer.max-skipped-steps = " + limit + ": steps " + firstSkipped + " to "
                + step + " applied no optimizer step (" + why + "); " + fix + "the run stopped after writing "
                + checkpoint + " (running the same command resumes from it; trainer.max-skipped-steps: 0 never "
                + "stops)");
    }
}
