package dev.alpharl.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SplitMix64Test {

    @Test
    void matchesTheReferenceSequenceForSeedZero() {
        // outputs of Vigna's splitmix64.c with x = 0
        SplitMix64 rng = new SplitMix64(0);
        assertThat(rng.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(rng.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
        assertThat(rng.nextLong()).isEqualTo(0x06C45D188009454FL);
    }

    @Test
    void boundedDrawsStayInRangeAndAreRoughlyUniform() {
        SplitMix64 rng = new SplitMix64(3);
        int[] counts = new int[6];
        for (int i = 0; i < 60_000; i++) {
            counts[rng.nextInt(6)]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(9_500, 10_500);
        }
        for (int i = 0; i < 10_000; i++) {
            assertThat(rng.nextLong(-5, 5)).isBetween(-5L, 5L);
            assertThat(rng.nextLong(100_000_000_000_000_000L, 999_999_999_999_999_999L))
                    .isBetween(100_000_000_000_000_000L, 999_999_999_999_999_999L);
        }
    }

    @Test
    void derivedStreamsDependOnEveryKey() {
        long a = SplitMix64.derive(1, 0).nextLong();
        assertThat(SplitMix64.derive(1, 0).nextLong()).isEqualTo(a);
        assertThat(SplitMix64.derive(1, 1).nextLong()).isNotEqualTo(a);
        assertThat(SplitMix64.derive(2, 0).nextLong()).isNotEqualTo(a);
        assertThat(SplitMix64.derive(1).nextLong()).isNotEqualTo(a);
    }
}
