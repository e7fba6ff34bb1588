package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IncrementCoherenceTest {

    @Test
    void termsAndCosineOfAHandComputedPair() {
        // d_t = (1, 2, 2), d_{t+1} = (2, 0, 1): ⟨·,·⟩ = 4, ‖d_t‖² = 9, ‖d_{t+1}‖² = 5, cos = 4/√45
        IncrementCoherence c = IncrementCoherence.of(new float[] {1, 2, 2}, new float[] {2, 0, 1});
        assertThat(c.dot()).isEqualTo(4);
        assertThat(c.previousSquared()).isEqualTo(9);
        assertThat(c.nextSquared()).isEqualTo(5);
        assertThat(c.cosine()).isCloseTo(4 / Math.sqrt(45), within(1e-12));
        assertThat(IncrementCoherence.of(new float[] {0, 0}, new float[] {1, 0}).cosine())
                .isNaN();
    }

    @Test
    void pooledTensorsAreOneLongVector() {
        float[] a1 = {1, 2};
        float[] b1 = {3, -1};
        float[] a2 = {0.5f};
        float[] b2 = {-2};
        IncrementCoherence pooled = IncrementCoherence.of(a1, b1).plus(IncrementCoherence.of(a2, b2));
        IncrementCoherence whole = IncrementCoherence.of(new float[] {1, 2, 0.5f}, new float[] {3, -1, -2});
        assertThat(pooled.cosine()).isCloseTo(whole.cosine(), within(1e-12));
        assertThat(IncrementCoherence.NONE.plus(whole)).isEqualTo(whole);
    }

    /** Increments of three processes in R^4000: a drift, a random walk, noise around a fixed point. */
    @Test
    void driftGivesOneRandomWalkZeroAndNoiseAroundAPointMinusOneHalf() {
        int d = 4000;
        SplittableRandom r = new SplittableRandom(5);
        float[] direction = gaussian(r, d);
        List<IncrementCoherence> drift = new ArrayList<>();
        List<IncrementCoherence> walk = new ArrayList<>();
        List<IncrementCoherence> noise = new ArrayList<>();
        float[] e0 = gaussian(r, d);
        float[] e1 = gaussian(r, d);
        float[] g0 = gaussian(r, d);
        for (int t = 0; t < 6; t++) {
            float[] e2 = gaussian(r, d);
            float[] g1 = gaussian(r, d);
            drift.add(IncrementCoherence.of(direction, direction));
            walk.add(IncrementCoherence.of(g0, g1));
            noise.add(IncrementCoherence.of(minus(e1, e0), minus(e2, e1)));
            e0 = e1;
            e1 = e2;
            g0 = g1;
        }
        assertThat(IncrementCoherence.meanCosine(drift)).isCloseTo(1, within(1e-9));
        // SE of one cosine of independent vectors in R^d is 1/√d ≈ 0.016
        assertThat(IncrementCoherence.meanCosine(walk)).isCloseTo(0, within(0.05));
        assertThat(IncrementCoherence.meanCosine(noise)).isCloseTo(-0.5, within(0.05));
    }

    private static float[] gaussian(SplittableRandom r, int d) {
        float[] g = new float[d];
        for (int i = 0; i < d; i++) {
            g[i] = (float) r.nextGaussian();
        }
        return g;
    }

    private static float[] minus(float[] a, float[] b) {
        float[] r = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] - b[i];
        }
        return r;
    }
}
