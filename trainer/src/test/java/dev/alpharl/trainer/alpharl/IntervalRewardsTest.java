package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntervalRewardsTest {

    @Test
    void meansOverEachCheckpointsInterval() {
        Map<Long, Double> r = Map.of(1L, 0.1, 2L, 0.3, 3L, 0.2, 4L, 0.6, 5L, 0.9);
        // (0, 2] → 0.2; (2, 4] → 0.4; (4, 5] → 0.9
        assertThat(IntervalRewards.means(r, new long[] {2, 4, 5})).containsExactly(0.2, 0.4, 0.9);
        assertThatThrownBy(() -> IntervalRewards.means(r, new long[] {2, 6})).hasMessageContaining("step 6");
        assertThatThrownBy(() -> IntervalRewards.means(r, new long[] {2, 2}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsRewardMeanByStep(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        Files.writeString(
                f,
                "{\"step\":1,\"reward/mean\":0.25,\"kl\":0.0}\n{\"step\":2,\"loss/policy\":1.0}\n"
                        + "{\"step\":3,\"reward/mean\":0.5}\n");
        assertThat(IntervalRewards.read(f)).containsExactly(Map.entry(1L, 0.25), Map.entry(3L, 0.5));
    }
}
