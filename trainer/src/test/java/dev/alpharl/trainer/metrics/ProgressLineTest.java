package dev.alpharl.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private static EtaEstimator etaAfter(long total, double... stepSeconds) {
        EtaEstimator eta = new EtaEstimator(total);
        for (double s : stepSeconds) {
            eta.observe(s);
        }
        return eta;
    }

    @Test
    void formatsTheStandardLine() {
        StepRecord r = StepRecord.builder(12, 25.0)
                .rewardMean(0.41)
                .rewardStd(0.12)
                .kl(0.003)
                .responseLengthMean(38.4)
                .rolloutTokensPerSecond(1234)
                .build();
        // 188 steps left at 2.1 s/step = 394.8 s
        assertThat(ProgressLine.format(r, etaAfter(200, 2.1)))
                .isEqualTo("step 12/200 | reward 0.41±0.12 | kl 0.003 | len 38 | 1.2k tok/s | 2.1 s/step | ETA 6m35s");
    }

    @Test
    void evalStepsShowTheAccuracy() {
        StepRecord r = StepRecord.builder(20, 25.0)
                .rewardMean(0.5)
                .rewardStd(0.25)
                .kl(0.0123)
                .responseLengthMean(100)
                .rolloutTokensPerSecond(850)
                .eval(0.55, 4)
                .build();
        assertThat(ProgressLine.format(r, etaAfter(20, 0.35)))
                .isEqualTo("step 20/20 | reward 0.50±0.25 | kl 0.0123 | len 100 | 850 tok/s | 0.35 s/step | ETA 0s"
                        + " | eval 0.55");
    }

    @Test
    void skippedStepsSayWhyAndLeaveOutNonFiniteValues() {
        StepRecord r = StepRecord.builder(3, 9.0)
                .rewardMean(-0.2)
                .rewardStd(Double.NaN)
                .kl(Double.NaN)
                .skipped("non-finite grad")
                .build();
        assertThat(ProgressLine.format(r, etaAfter(10, 4.0)))
                .isEqualTo("step 3/10 | SKIPPED (non-finite grad) | reward -0.20 | 4.0 s/step | ETA 28s");
    }

    @Test
    void etaIsUnknownBeforeTheFirstStepTime() {
        StepRecord r = StepRecord.builder(1, 0).build();
        assertThat(ProgressLine.format(r, new EtaEstimator(5))).isEqualTo("step 1/5 | ETA ?");
    }

    @Test
    void throughputUnits() {
        assertThat(ProgressLine.withUnit(0)).isEqualTo("0");
        assertThat(ProgressLine.withUnit(999.4)).isEqualTo("999");
        assertThat(ProgressLine.withUnit(999.6)).isEqualTo("1.0k");
        assertThat(ProgressLine.withUnit(1234)).isEqualTo("1.2k");
        assertThat(ProgressLine.withUnit(56_789)).isEqualTo("56.8k");
        assertThat(ProgressLine.withUnit(999_949)).isEqualTo("999.9k");
        assertThat(ProgressLine.withUnit(999_960)).isEqualTo("1.0M");
        assertThat(ProgressLine.withUnit(3_250_000)).isEqualTo("3.3M");
    }

    @Test
    void durations() {
        assertThat(ProgressLine.duration(0)).isEqualTo("0s");
        assertThat(ProgressLine.duration(59.4)).isEqualTo("59s");
        assertThat(ProgressLine.duration(59.6)).isEqualTo("1m00s");
        assertThat(ProgressLine.duration(400)).isEqualTo("6m40s");
        assertThat(ProgressLine.duration(3599.6)).isEqualTo("1h00m");
        assertThat(ProgressLine.duration(3900)).isEqualTo("1h05m");
        assertThat(ProgressLine.duration(86_399)).isEqualTo("1d00h");
        assertThat(ProgressLine.duration(2 * 86_400 + 3 * 3600 + 600)).isEqualTo("2d03h");
    }

    @Test
    void significantDigits() {
        assertThat(ProgressLine.significant(0)).isEqualTo("0");
        assertThat(ProgressLine.significant(0.003)).isEqualTo("0.003");
        assertThat(ProgressLine.significant(0.0123456)).isEqualTo("0.0123");
        assertThat(ProgressLine.significant(1.5)).isEqualTo("1.5");
        assertThat(ProgressLine.significant(-12.345)).isEqualTo("-12.3");
        assertThat(ProgressLine.significant(1234.5)).isEqualTo("1230");
        assertThat(ProgressLine.significant(0.000345)).isEqualTo("3.45e-4");
        assertThat(ProgressLine.significant(-0.00002)).isEqualTo("-2e-5");
    }

    @Test
    void stepSeconds() {
        assertThat(ProgressLine.stepSeconds(0.0449)).isEqualTo("0.04");
        assertThat(ProgressLine.stepSeconds(0.996)).isEqualTo("1.0");
        assertThat(ProgressLine.stepSeconds(12.34)).isEqualTo("12.3");
        assertThat(ProgressLine.stepSeconds(123.4)).isEqualTo("123");
    }

    @Test
    void etaUsesAnExponentialMovingAverageOfStepTimes() {
        EtaEstimator eta = new EtaEstimator(100, 0.5);
        eta.observe(10); // first observation starts the average: 10
        eta.observe(2); // 0.5*2 + 0.5*10 = 6
        eta.observe(4); // 0.5*4 + 0.5*6 = 5
        assertThat(eta.secondsPerStep()).hasValue(5.0);
        assertThat(eta.remainingSeconds(40)).hasValue(300.0);
        assertThat(eta.remainingSeconds(120)).hasValue(0.0);
        assertThatThrownBy(() -> eta.observe(Double.NaN)).hasMessageContaining("step time must be finite");
        assertThatThrownBy(() -> new EtaEstimator(10, 0)).hasMessageContaining("alpha must be in (0, 1]");
    }
}
