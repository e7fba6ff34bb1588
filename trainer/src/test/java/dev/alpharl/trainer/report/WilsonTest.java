package dev.alpharl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.alpharl.trainer.eval.EvalResult;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

class WilsonTest {
    @Test
    void wilsonIntervalMatchesAHandComputation() {
        // (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n) with p = 0.6, n = 500, z = 1.959964, by hand
        Interval interval = Wilson.interval95(EvalResult.ofAccuracy(0.60, 500));
        assertThat(interval.low()).isCloseTo(0.5564541227, within(1e-9));
        assertThat(interval.high()).isCloseTo(0.6420210092, within(1e-9));
        Interval base = Wilson.interval95(EvalResult.ofAccuracy(0.30, 500));
        assertThat(base.low()).isCloseTo(0.2614819321, within(1e-9));
        assertThat(base.high()).isCloseTo(0.3415678040, within(1e-9));
    }

    @Test
    void zIsTheNormalQuantile() {
        assertThat(Wilson.Z95).isCloseTo(new NormalDistribution().inverseCumulativeProbability(0.975), within(1e-12));
    }

    @Test
    void wilsonStaysInsideTheUnitIntervalAndIsMirrorSymmetric() {
        Interval zero = Wilson.interval95(EvalResult.ofAccuracy(0, 100));
        assertThat(zero.low()).isEqualTo(0);
        assertThat(zero.high()).isCloseTo(0.0369934982, within(1e-9)); // z²/n / (1 + z²/n)
        Interval p = Wilson.interval95(EvalResult.ofAccuracy(0.2, 50));
        Interval q = Wilson.interval95(EvalResult.ofAccuracy(0.8, 50));
        assertThat(p.low()).isCloseTo(1 - q.high(), within(1e-12));
        assertThat(p.high()).isCloseTo(1 - q.low(), within(1e-12));
        assertThat(p.contains(0.2)).isTrue();
    }

    @Test
    void standardErrorIsBinomial() {
        assertThat(EvalResult.ofAccuracy(0.6, 500).standardError()).isCloseTo(Math.sqrt(0.24 / 500), within(1e-15));
    }

    @Test
    void rejectsImpossibleValues() {
        assertThatThrownBy(() -> EvalResult.ofAccuracy(1.2, 10)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> EvalResult.ofAccuracy(0.5, 0)).hasMessageContaining("positive");
    }
}
