package dev.alpharl.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepRecordTest {

    @Test
    void keysUseTheArchitectureNamesInOrderStepAndTimeFirst() {
        Map<String, Double> timings = new LinkedHashMap<>();
        timings.put("rollout", 1.5);
        timings.put("update", 0.25);
        StepRecord r = StepRecord.builder(12, 30.0)
                .kl(0.003)
                .rewardMean(0.41)
                .rewardStd(0.12)
                .policyLoss(-0.01)
                .entropy(1.2)
                .clipfrac(0.05)
                .gradNorm(0.8)
                .lr(1e-6)
                .responseLengthMean(38)
                .rolloutTokensPerSecond(1200)
                .trainTokensPerSecond(3000)
                .eval(0.55, 4)
                .timings(timings)
                .put("alpharl/rank1", 0.9)
                .build();
        assertThat(r.values().keySet())
                .containsExactly(
                        "step",
                        "time_s",
                        "kl",
                        "reward/mean",
                        "reward/std",
                        "loss/policy",
                        "entropy",
                        "clipfrac",
                        "grad_norm",
                        "lr",
                        "response_length/mean",
                        "throughput/rollout_tokens_per_s",
                        "throughput/train_tokens_per_s",
                        "eval/accuracy",
                        "eval/n",
                        "timing/rollout_s",
                        "timing/update_s",
                        "alpharl/rank1");
        assertThat(r.step()).isEqualTo(12);
        assertThat(r.timeSeconds()).isEqualTo(30.0);
        assertThat(r.number("eval/n")).isEqualTo(4.0);
        assertThat(r.number("absent")).isNaN();
        assertThat(r.isEvalStep()).isTrue();
        assertThat(r.skipped()).isFalse();
    }

    @Test
    void settingAKeyAgainKeepsItsPositionAndTheLastValue() {
        StepRecord r = StepRecord.builder(1, 0).kl(1).entropy(2).kl(3).build();
        assertThat(r.values().keySet()).containsExactly("step", "time_s", "kl", "entropy");
        assertThat(r.number("kl")).isEqualTo(3.0);
    }

    @Test
    void rejectsReservedKeysAndUnsupportedValues() {
        StepRecord.Builder b = StepRecord.builder(1, 0);
        assertThatThrownBy(() -> b.put("step", 2)).hasMessageContaining("'step' is set by StepRecord.builder");
        assertThatThrownBy(() -> b.put("x", null))
                .hasMessage("metric 'x' must be a number, boolean or string, got null");
        assertThatThrownBy(() -> b.put("x", new int[0])).hasMessageContaining("got int[]");
        assertThatThrownBy(() -> StepRecord.builder(-1, 0)).hasMessageContaining("step must be >= 0");
    }

    @Test
    void valuesAreUnmodifiable() {
        StepRecord r = StepRecord.builder(1, 0).build();
        assertThatThrownBy(() -> r.values().put("kl", 1.0)).isInstanceOf(UnsupportedOperationException.class);
    }
}
