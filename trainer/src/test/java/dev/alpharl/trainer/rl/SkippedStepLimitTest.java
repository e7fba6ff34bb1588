package dev.alpharl.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alpharl.trainer.metrics.StepRecord;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SkippedStepLimitTest {

    private static StepRecord noVariance(long step) {
        return StepRecord.builder(step, 0).skipped("no reward variance").build();
    }

    private static StepRecord nonFinite(long step) {
        return StepRecord.builder(step, 0)
                .put("update/skipped_optimizer_steps", 1)
                .build();
    }

    @Test
    void onlyStepsInARowWithoutAnOptimizerStepCount() {
        SkippedStepLimit limit = new SkippedStepLimit(3, 10);
        assertThat(limit.reached(1, 10, noVariance(1))).isFalse();
        assertThat(limit.reached(2, 10, noVariance(2))).isFalse();
        assertThat(limit.reached(3, 11, StepRecord.builder(3, 0).build()))
                .as("an optimizer step starts the count again")
                .isFalse();
        assertThat(limit.reached(4, 11, noVariance(4))).isFalse();
        assertThat(limit.reached(5, 11, nonFinite(5))).isFalse();
        assertThat(limit.reached(6, 11, nonFinite(6))).isTrue();
        StalledRunException e = limit.failure(6, Path.of("runs/r/checkpoints/step-000006"));
        assertThat(e.getMessage())
                .startsWith("trainer.max-skipped-steps = 3: steps 4 to 6 applied no optimizer step (1 with no reward "
                        + "variance, 2 with non-finite loss or gradient); every group of completions got equal "
                        + "rewards: ")
                .contains("every update was non-finite: lower optim.lr")
                .endsWith("the run stopped after writing runs/r/checkpoints/step-000006 (running the same command "
                        + "resumes from it; trainer.max-skipped-steps: 0 never stops)");
    }

    @Test
    void zeroNeverStops() {
        SkippedStepLimit limit = new SkippedStepLimit(0, 0);
        for (int step = 1; step <= 1000; step++) {
            assertThat(limit.reached(step, 0, noVariance(step))).isFalse();
        }
    }
}
