package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** {@link CoefficientLine} and {@link ResponseLine} on hand-computed series. */
class CoefficientLinesTest {

    private static final double[] STEPS = {1, 2, 3, 4};

    @Test
    void anExactLineHasR2OneAndNoOvershoot() {
        CoefficientLine line = CoefficientLine.of(STEPS, new double[] {2, 4, 6, 8}, 2);
        assertThat(line.inSampleR2()).isCloseTo(1, within(1e-12)); // two points: the line passes through both
        assertThat(line.outOfSampleR2()).isCloseTo(1, within(1e-12));
        assertThat(line.overshoot()).isCloseTo(1, within(1e-12));
        assertThat(line.endpointError()).isCloseTo(0, within(1e-12));
    }

    @Test
    void aSaturatingSeriesOvershoots() {
        // window (1, 1), (2, 2): ĉ(s) = s; held out c_3 = 2.5, c_4 = 2.5
        CoefficientLine line = CoefficientLine.of(STEPS, new double[] {1, 2, 2.5, 2.5}, 2);
        assertThat(line.overshoot()).isCloseTo(4 / 2.5, within(1e-12));
        assertThat(line.endpointError()).isCloseTo(0.6, within(1e-12));
        // held-out mean 2.5, SSE = 0.5² + 1.5² = 2.5, SST = 0 → NaN
        assertThat(line.outOfSampleR2()).isNaN();
        CoefficientLine three = CoefficientLine.of(STEPS, new double[] {1, 2, 3, 3.5}, 3);
        // window line ĉ = s; held out only c_4 = 3.5: one point has no variance
        assertThat(three.inSampleR2()).isCloseTo(1, within(1e-12));
        assertThat(three.overshoot()).isCloseTo(4 / 3.5, within(1e-12));
        assertThatThrownBy(() -> CoefficientLine.of(STEPS, new double[] {1, 2, 3, 4}, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void responseLineInvertsAtTheLastResponse() {
        // window: y = 0.1·c + 0.2 through (c, y) = (1, 0.3), (3, 0.5); held out (4, 0.55), (5, 0.6)
        ResponseLine r = ResponseLine.of(new double[] {1, 3, 4, 5}, new double[] {0.3, 0.5, 0.55, 0.6}, 2);
        // c* = (0.6 − 0.2)/0.1 = 4, c_T = 5
        assertThat(r.oracleRatio()).isCloseTo(0.8, within(1e-12));
        // ŷ(4) = 0.6, ŷ(5) = 0.7; SSE = 0.05² + 0.1² = 0.0125; SST = 2·0.025² = 0.00125 → R² = −9
        assertThat(r.outOfSampleR2()).isCloseTo(-9, within(1e-9));
        assertThat(ResponseLine.of(new double[] {1, 1, 2}, new double[] {0.1, 0.2, 0.3}, 2))
                .isEqualTo(ResponseLine.UNDEFINED);
        assertThat(ResponseLine.of(new double[] {1, 2, 3}, new double[] {0.2, 0.2, 0.3}, 2))
                .isEqualTo(ResponseLine.UNDEFINED);
    }
}
