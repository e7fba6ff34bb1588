package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EvenTokenRewardTest {

    @Test
    void theShareOfEvenIds() {
        assertThat(EvenTokenReward.score(new long[] {4, 7, 0, 9})).isEqualTo(0.5f);
        assertThat(EvenTokenReward.score(new long[] {3, 5, 11})).isZero();
        assertThat(EvenTokenReward.score(new long[] {2})).isEqualTo(1f);
        assertThat(EvenTokenReward.score(new long[] {1, 2, 4})).isEqualTo(2f / 3);
        assertThatThrownBy(() -> EvenTokenReward.score(new long[0])).hasMessageContaining("empty");
    }
}
