package dev.alpharl.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class DiagnosticsTest extends NdTestBase {
    @Test
    void entropyFromLogitsMatchesClosedForms() {
        // token 0: uniform over 4 -> ln 4; token 1: p = [1/4, 3/4, 0, 0] via logits [0, ln 3, -inf, -inf]
        double ninf = Double.NEGATIVE_INFINITY;
        NDArray logits = manager.create(new double[] {0, 0, 0, 0, 0, Math.log(3), ninf, ninf}, new Shape(1, 2, 4));
        double h1 = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
        assertAllClose(Diagnostics.entropyFromLogits(logits), new double[][] {{Math.log(4), h1}}, 1e-12);
        assertAllClose(
                Diagnostics.entropyFromLogProbs(logits.logSoftmax(-1)), new double[][] {{Math.log(4), h1}}, 1e-12);
    }

    @Test
    void entropyGradientIsFiniteWithMaskedVocabularyAndCorrect() {
        // H(z) for two logits [0, z]: dH/dz = -p(1-p)·z with p = sigmoid(z) (exact derivative of the binary entropy)
        double ninf = Double.NEGATIVE_INFINITY;
        double z = 0.7;
        NDArray logits = manager.create(new double[] {0, z, ninf}, new Shape(1, 1, 3));
        logits.setRequiresGradient(true);
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            gc.backward(Diagnostics.entropyFromLogits(logits).sum());
        }
        double p = 1 / (1 + Math.exp(-z));
        double[] g = values(logits.getGradient());
        assertFinite(logits.getGradient());
        assertThat(g[1]).isCloseTo(-p * (1 - p) * z, within(1e-12));
        assertThat(g[0]).isCloseTo(p * (1 - p) * z, within(1e-12));
        assertThat(g[2]).isZero();
    }

    @Test
    void approxKlAndMaskedMeanIgnorePadding() {
        NDArray logp = f32(new double[][] {{-1, -2, -50}, {-0.5, 0, 0}});
        NDArray old = f32(new double[][] {{-1.5, -1, 0}, {-0.25, 0, 0}});
        NDArray mask = f32(maskOf(3, 2, 1));
        // mean(old - logp) over valid: (-0.5 + 1 + 0.25)/3
        assertThat(scalar(Diagnostics.approxKl(logp, old, mask))).isCloseTo(0.25, within(1e-6));
        assertThat(scalar(Diagnostics.maskedMean(logp, mask))).isCloseTo(-3.5 / 3, within(1e-6));
        assertThat(scalar(Diagnostics.maskedMean(logp, f32(maskOf(3, 0, 0))))).isZero();
    }

    @Test
    void meanRatioAveragesValidTokens() {
        NDArray logp = f64(new double[][] {{Math.log(2), Math.log(0.5)}, {0, 5}});
        PolicyLossOutput out = PolicyLosses.ppoClip(logp, logp.zerosLike(), logp.onesLike(), ClipRange.symmetric(0.2));
        assertThat(scalar(Diagnostics.meanRatio(out, f64(maskOf(2, 2, 1))))).isCloseTo(3.5 / 3, within(1e-12));
    }
}
