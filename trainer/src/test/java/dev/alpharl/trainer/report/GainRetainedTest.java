package dev.alpharl.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.alpharl.trainer.eval.EvalResult;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.junit.jupiter.api.Test;

class GainRetainedTest {
    private static final EvalResult BASE = EvalResult.ofAccuracy(0.30, 500);
    private static final EvalResult ACCELERATED = EvalResult.ofAccuracy(0.60, 500);
    private static final EvalResult FULL = EvalResult.ofAccuracy(0.62, 500);

    @Test
    void estimateIsTheRatioOfGains() {
        GainRetained gain = GainRetained.of(ACCELERATED, FULL, BASE);
        assertThat(gain.estimate()).hasValueSatisfying(r -> assertThat(r).isCloseTo(0.30 / 0.32, within(1e-12)));
        assertThat(gain.ci95().contains(0.9375)).isTrue();
    }

    @Test
    void bootstrapIntervalAgreesWithTheDeltaMethod() {
        // Delta method: Var R ≈ [Var a + R² Var b + (R − 1)² Var c] / (b − c)², R = 0.9375, b − c = 0.32
        double r = 0.9375;
        double se = Math.sqrt((ACCELERATED.variance() + r * r * FULL.variance() + (r - 1) * (r - 1) * BASE.variance())
                / (0.32 * 0.32));
        Interval interval = GainRetained.of(ACCELERATED, FULL, BASE).ci95();
        assertThat(interval.low()).isCloseTo(r - Wilson.Z95 * se, within(0.03));
        assertThat(interval.high()).isCloseTo(r + Wilson.Z95 * se, within(0.03));
    }

    @Test
    void theSeedMakesItReproducible() {
        assertThat(GainRetained.of(ACCELERATED, FULL, BASE)).isEqualTo(GainRetained.of(ACCELERATED, FULL, BASE));
        assertThat(GainRetained.of(ACCELERATED, FULL, BASE, 2000, 1).ci95())
                .isNotEqualTo(GainRetained.of(ACCELERATED, FULL, BASE, 2000, 2).ci95());
    }

    @Test
    void undefinedWhenTheFullRunGainedNothing() {
        GainRetained gain = GainRetained.of(ACCELERATED, EvalResult.ofAccuracy(0.30, 500), BASE);
        assertThat(gain.estimate()).isEmpty();
        assertThat(gain.ci95()).isNull();
    }

    @Test
    void unboundedWhenTheFullRunsGainIsWithinNoise() {
        GainRetained gain = GainRetained.of(
                EvalResult.ofAccuracy(0.31, 100), EvalResult.ofAccuracy(0.32, 100), EvalResult.ofAccuracy(0.30, 100));
        assertThat(gain.estimate()).hasValueSatisfying(r -> assertThat(r).isCloseTo(0.5, within(1e-9)));
        assertThat(gain.ci95().isBounded()).isFalse();
    }

    @Test
    void percentileInterpolatesBetweenOrderStatistics() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertThat(GainRetained.percentile(sorted, 0.5)).isEqualTo(3);
        assertThat(GainRetained.percentile(sorted, 0.125)).isEqualTo(1.5);
        assertThat(GainRetained.percentile(sorted, 1)).isEqualTo(5);
    }

    @Test
    void binomialSamplerHasTheBinomialMoments() {
        BinomialSampler sampler = new BinomialSampler(500, 0.3);
        Well19937c random = new Well19937c(7);
        SummaryStatistics stats = new SummaryStatistics();
        for (int i = 0; i < 20_000; i++) {
            stats.addValue(sampler.sample(random));
        }
        assertThat(stats.getMean()).isCloseTo(150, within(0.3)); // np; SE of the mean ≈ 0.07
        assertThat(stats.getVariance()).isCloseTo(105, within(4.0)); // np(1 − p)
        assertThat(new BinomialSampler(10, 0).sample(random)).isZero();
        assertThat(new BinomialSampler(10, 1).sample(random)).isEqualTo(10);
    }
}
