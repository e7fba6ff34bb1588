package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CompletionLengthsTest {

    @Test
    void oneLengthFromEachStratumSpreadsTheRowsOverTheWholeRange() {
        int[] lengths = CompletionLengths.spread(16, 256, 7);
        assertThat(lengths).hasSize(16);
        // strata of 16: row k of the sorted lengths lies in [16k + 1, 16k + 16]
        int[] sorted = lengths.clone();
        Arrays.sort(sorted);
        for (int k = 0; k < 16; k++) {
            assertThat(sorted[k]).isBetween(16 * k + 1, 16 * k + 16);
        }
        assertThat(sorted[15]).isGreaterThan(240);
        // drawn in a random row order, not sorted
        assertThat(lengths).isNotEqualTo(sorted);
    }

    @Test
    void moreRowsThanLengthsGiveStrataOfOneLengthEach() {
        // B = 10, max = 4: stratum k is [⌊0.4k⌋ + 1, max(that, ⌊0.4(k + 1)⌋)], a single length for every k:
        // 1, 1, 1, 2, 2, 3, 3, 3, 4, 4
        int[] sorted = CompletionLengths.spread(10, 4, 3).clone();
        Arrays.sort(sorted);
        assertThat(sorted).containsExactly(1, 1, 1, 2, 2, 3, 3, 3, 4, 4);
    }

    @Test
    void theSeedDecidesTheLengths() {
        assertThat(CompletionLengths.spread(16, 256, 1)).containsExactly(CompletionLengths.spread(16, 256, 1));
        assertThat(CompletionLengths.spread(16, 256, 1)).isNotEqualTo(CompletionLengths.spread(16, 256, 2));
        assertThat(CompletionLengths.spread(1, 5, 9)[0]).isBetween(1, 5);
        assertThatThrownBy(() -> CompletionLengths.spread(0, 5, 1)).hasMessageContaining("rows >= 1");
    }
}
