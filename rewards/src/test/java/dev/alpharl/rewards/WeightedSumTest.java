package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedSumTest {

    @Test
    void sumsWeightedScoresAndPrefixesDiagnostics() {
        WeightedSum sum = new WeightedSum(List.of(
                new WeightedSum.Term(new Constant("a", 1.0), 0.8),
                new WeightedSum.Term(new Constant("b", 0.5), 2.0),
                new WeightedSum.Term(new Constant("a", -1.0), 0.1)));
        RewardResult r = sum.score("", "", Map.of());
        assertThat(r.score()).isEqualTo(0.8 * 1.0 + 2.0 * 0.5 + 0.1 * -1.0);
        assertThat(r.diagnostics())
                .containsEntry("a/score", 1.0)
                .containsEntry("b/score", 0.5)
                .containsEntry("a#2/score", -1.0)
                .containsEntry("b/value", 0.5);
        assertThat(r.error()).isFalse();
    }

    @Test
    void aFailingTermMarksTheSumFailedAndContributesItsFallback() {
        RewardFunction failing = new GuardedReward(
                new RewardFunction() {
                    @Override
                    public String name() {
                        return "bad";
                    }

                    @Override
                    public RewardResult score(String prompt, String completion, Map<String, Object> fields) {
                        throw new IllegalArgumentException("no gold");
                    }
                },
                Duration.ofSeconds(1),
                -2.0);
        WeightedSum sum = new WeightedSum(
                List.of(new WeightedSum.Term(new Constant("ok", 1.0), 1.0), new WeightedSum.Term(failing, 0.5)));
        RewardResult r = sum.score("", "", Map.of());
        assertThat(r.score()).isEqualTo(1.0 + 0.5 * -2.0);
        assertThat(r.error()).isTrue();
        assertThat(r.errorMessage()).contains("bad").contains("no gold");
        assertThat(sum.counts()).isEqualTo(new RewardCounts(1, 1, 0));
    }

    @Test
    void rejectsEmptyOrNonFiniteWeights() {
        assertThatThrownBy(() -> new WeightedSum(List.of())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new WeightedSum.Term(new Constant("a", 1), Double.NaN))
                .hasMessageContaining("weight of reward 'a'");
    }
}
