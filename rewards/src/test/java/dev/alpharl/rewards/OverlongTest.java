package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OverlongTest {

    /** L_max = 20, L_buf = 4: expected = 16; penalty = −(|o| − 16)/4 in (16, 20], −1 beyond (hand-computed). */
    @ParameterizedTest(name = "|o| = {0} -> {1}")
    @CsvSource({
        "0, 0.0",
        "15, 0.0",
        "16, 0.0",
        "17, -0.25",
        "18, -0.5",
        "19, -0.75",
        "20, -1.0",
        "21, -1.0",
        "1000, -1.0"
    })
    void penaltyAtAndAroundTheBoundaries(int length, double expected) {
        assertThat(OverlongPenalty.penalty(length, 20, 4, 1.0)).isEqualTo(expected);
    }

    @Test
    void factorScalesAndMatchesTrlSoftZoneFormula() {
        assertThat(OverlongPenalty.penalty(18, 20, 4, 0.5)).isEqualTo(-0.25);
        // TRL get_soft_overlong_punishment: (max − cache − |o|) / cache inside the soft zone
        for (int len = 4097; len <= 4096 + 1024; len += 37) {
            assertThat(OverlongPenalty.penalty(len, 4096 + 1024, 1024, 1.0))
                    .isCloseTo((4096 - len) / 1024.0, within(1e-12));
        }
        // buffer = max: the whole range is the soft zone
        assertThat(OverlongPenalty.penalty(5, 10, 10, 1.0)).isEqualTo(-0.5);
    }

    @Test
    void badParametersAreRejected() {
        assertThatThrownBy(() -> OverlongPenalty.penalty(1, 10, 0, 1.0)).hasMessageContaining("buffer");
        assertThatThrownBy(() -> OverlongPenalty.penalty(1, 10, 11, 1.0)).hasMessageContaining("buffer");
        assertThatThrownBy(() -> OverlongPenalty.penalty(-1, 10, 2, 1.0)).hasMessageContaining("length");
        assertThatThrownBy(() -> new OverlongReward(null, 10, 20, 1.0)).hasMessageContaining("buffer");
    }

    @Test
    void composesWithABaseReward() {
        RewardFunction base = new Constant("base", 1.0);
        OverlongReward shaped = new OverlongReward(base, 20, 4, 1.0);
        assertThat(shaped.score("", "x", Map.of(RewardFunction.COMPLETION_TOKENS, 10))
                        .score())
                .isEqualTo(1.0);
        RewardResult r = shaped.score("", "x", Map.of(RewardFunction.COMPLETION_TOKENS, 18));
        assertThat(r.score()).isEqualTo(0.5);
        assertThat(r.diagnostics()).containsEntry("overlong_penalty", -0.5).containsEntry("base_score", 1.0);
        OverlongReward alone = new OverlongReward(null, 20, 4, 1.0);
        assertThat(alone.score("", "x", Map.of(RewardFunction.COMPLETION_TOKENS, 19))
                        .score())
                .isEqualTo(-0.75);
    }

    @Test
    void missingTokenCountIsAnError() {
        OverlongReward alone = new OverlongReward(null, 20, 4, 1.0);
        assertThatThrownBy(() -> alone.score("", "x", Map.of())).hasMessageContaining(RewardFunction.COMPLETION_TOKENS);
    }
}
