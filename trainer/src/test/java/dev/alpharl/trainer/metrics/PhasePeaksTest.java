package dev.alpharl.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class PhasePeaksTest {

    /**
     * Readings of a scripted high-water mark (in MB): each boundary consumes one. Nested phases: reward's readings
     * count for rollout too, update's not for rollout; the step's peak is the largest reading.
     */
    @Test
    void eachReadingCountsForEveryPhaseOpenWhenItWasTaken() {
        Deque<Long> marks = new ArrayDeque<>(List.of(100L, 300L, 250L, 400L, 120L, 500L, 90L));
        AtomicInteger resets = new AtomicInteger();
        PhasePeaks peaks = new PhasePeaks(() -> marks.pop() * 1_000_000, () -> resets.incrementAndGet() > 0);
        peaks.enter("rollout"); // 100: before any phase, the step only
        peaks.enter("reward"); // 300: rollout
        peaks.exit("reward"); // 250: rollout, reward
        peaks.exit("rollout"); // 400: rollout
        peaks.enter("update"); // 120: none open
        peaks.exit("update"); // 500: update
        assertThat(peaks.take()) // 90
                .containsExactly(
                        Map.entry("rollout", 400.0),
                        Map.entry("reward", 250.0),
                        Map.entry("update", 500.0),
                        Map.entry("step", 500.0));
        assertThat(resets).hasValue(7);
    }

    @Test
    void reportsNothingWhereTheMarkCannotBeReset() {
        PhasePeaks peaks = new PhasePeaks(() -> 5_000_000, () -> false);
        peaks.enter("rollout");
        peaks.exit("rollout");
        assertThat(peaks.take()).isEmpty();
        PhasePeaks unreadable = new PhasePeaks(() -> -1, () -> true);
        unreadable.enter("update");
        unreadable.exit("update");
        assertThat(unreadable.take()).isEmpty();
    }

    /**
     * The process's own mark: 400 MB of native tensors written and freed inside "update" raise its peak by about
     * that much, while "rollout" after it, which allocates nothing, stays near the resident size.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void aPhaseThatAllocatesShowsItsPeakAndTheNextPhaseDoesNot() {
        PhasePeaks peaks = PhasePeaks.ofProcess();
        try (NDManager m = NDManager.newBaseManager()) {
            m.ones(new Shape(4)).close(); // engine up before the baseline
            long before = ProcessMemory.residentBytes();
            peaks.take();
            peaks.enter("update");
            try (NDManager step = m.newSubManager()) {
                NDArray big = step.ones(new Shape(100_000_000)); // 400 MB, written
                assertThat(big.getFloat(99_999_999)).isEqualTo(1f);
            }
            peaks.exit("update");
            peaks.enter("rollout");
            peaks.exit("rollout");
            Map<String, Double> taken = peaks.take();
            assertThat(taken.get("update") - before / 1e6).isCloseTo(400, within(100.0));
            assertThat(taken.get("rollout")).isLessThan(taken.get("update") - 300);
            assertThat(taken.get("step")).isEqualTo(taken.get("update"));
        }
    }
}
