package dev.alpharl.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alpharl.trainer.model.SequenceBatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MicroBatchesTest {

    /** Rows of total lengths (prompt 2 + completion) 12, 3, 7, 7, 20, 4. */
    private static final SequenceBatch BATCH = batch(10, 1, 5, 5, 18, 2);

    private static SequenceBatch batch(int... completionLengths) {
        List<long[]> prompts = new ArrayList<>(), completions = new ArrayList<>();
        for (int c : completionLengths) {
            prompts.add(new long[] {1, 2});
            completions.add(new long[c]);
        }
        return new SequenceBatch(prompts, completions, 0);
    }

    @Test
    void withoutABudgetLengthSortedRowsGoInRunsOfMaxRows() {
        // sorted by length: 4 (20), 0 (12), 2 (7), 3 (7), 5 (4), 1 (3)
        List<int[]> plan = MicroBatches.plan(BATCH, 4, 0);
        assertThat(plan).containsExactly(new int[] {4, 0, 2, 3}, new int[] {5, 1});
        // padded tokens (rows x longest): 4 x 20 + 2 x 4 = 88; in runs of 3, 3 x 20 + 3 x 7 = 81 against the
        // unsorted runs' 3 x 12 + 3 x 20 = 96
        assertThat(padded(plan)).isEqualTo(88);
        assertThat(padded(MicroBatches.plan(BATCH, 3, 0)))
                .isEqualTo(3 * 20 + 3 * 7)
                .isLessThan(3 * 12 + 3 * 20);
    }

    private static int padded(List<int[]> plan) {
        int sum = 0;
        for (int[] group : plan) {
            int longest = 0;
            for (int r : group) {
                longest = Math.max(longest, 2 + BATCH.completions().get(r).length);
            }
            sum += group.length * longest;
        }
        return sum;
    }

    @Test
    void aBudgetPacksLengthSortedRowsAndNeverPadsFarBeyondTheLongest() {
        // sorted by length: 4 (20), 0 (12), 2 (7), 3 (7), 5 (4), 1 (3); budget 24 tokens = rows x longest
        List<int[]> plan = MicroBatches.plan(BATCH, 8, 24);
        assertThat(plan).containsExactly(new int[] {4}, new int[] {0, 2}, new int[] {3, 5, 1});
        for (int[] group : plan) {
            int longest = 0;
            for (int r : group) {
                longest = Math.max(longest, 2 + BATCH.completions().get(r).length);
            }
            assertThat(group.length * longest).as("padded tokens").isLessThanOrEqualTo(Math.max(24, longest));
        }
        // a row longer than the budget goes alone; every row is planned exactly once
        List<int[]> tight = MicroBatches.plan(BATCH, 8, 5);
        assertThat(tight.stream().mapToInt(g -> g.length).sum()).isEqualTo(6);
        assertThat(tight.get(0)).containsExactly(4);
    }
}
