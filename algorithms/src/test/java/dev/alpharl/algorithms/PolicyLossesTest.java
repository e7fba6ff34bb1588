package dev.alpharl.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PolicyLossesTest extends NdTestBase {
    /*
     * Crafted tokens (l_old = 0, so r = exp(l)), clip 0.2 / 0.28, dual clip c = 3:
     *  t0 r=1.5, A=+1: clipped high, L = -1.28, grad 0
     *  t1 r=0.5, A=-1: clipped low,  L = 0.8,   grad 0
     *  t2 r=4,   A=-2: dual clip,    L = min(8, 6) = 6, grad 0
     *  t3 r=1.1, A=0.5: in range,    L = -0.55, grad -A r = -0.55
     *  t4 r=0.9, A=-1: in range,     L = 0.9,   grad 0.9
     *  t5 r=0.5, A=+1: below range but A > 0 keeps the unclipped branch: L = -0.5, grad -0.5
     */
    private static final double[] RATIOS = {1.5, 0.5, 4, 1.1, 0.9, 0.5};
    private static final double[] ADV = {1, -1, -2, 0.5, -1, 1};
    private static final ClipRange CLIP = ClipRange.of(0.2, 0.28).withDualClip(3);

    private NDArray logRatios() {
        double[] l = new double[RATIOS.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = Math.log(RATIOS[i]);
        }
        return f64(new double[][] {l});
    }

    @Test
    void ppoClipValuesGradientsAndIndicatorsOnACraftedCase() {
        NDArray logp = logRatios();
        logp.setRequiresGradient(true);
        NDArray old = logp.zerosLike();
        NDArray adv = f64(new double[][] {ADV});
        PolicyLossOutput out;
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            out = PolicyLosses.ppoClip(logp, old, adv, CLIP);
            gc.backward(out.loss().sum());
        }
        assertAllClose(out.loss(), new double[][] {{-1.28, 0.8, 6, -0.55, 0.9, -0.5}}, 1e-12);
        assertAllClose(logp.getGradient(), new double[][] {{0, 0, 0, -0.55, 0.9, -0.5}}, 1e-12);
        assertAllClose(out.ratio(), new double[][] {RATIOS}, 1e-12);
        assertAllClose(out.clippedHigh(), new double[][] {{1, 0, 0, 0, 0, 0}}, 0);
        assertAllClose(out.clippedLow(), new double[][] {{0, 1, 0, 0, 0, 0}}, 0);
        assertAllClose(out.dualClipped(), new double[][] {{0, 0, 1, 0, 0, 0}}, 0);

        Diagnostics.ClipFractions f = Diagnostics.clipFractions(out, f64(new double[][] {{1, 1, 1, 1, 1, 1}}));
        assertThat(scalar(f.low())).isCloseTo(1.0 / 6, within(1e-12));
        assertThat(scalar(f.high())).isCloseTo(1.0 / 6, within(1e-12));
        assertThat(scalar(f.dual())).isCloseTo(1.0 / 6, within(1e-12));
        assertThat(scalar(f.total())).isCloseTo(2.0 / 6, within(1e-12));
        // masking out the clipped-high token: only valid tokens count
        Diagnostics.ClipFractions masked = Diagnostics.clipFractions(out, f64(new double[][] {{0, 1, 1, 1, 1, 0}}));
        assertThat(scalar(masked.high())).isZero();
        assertThat(scalar(masked.low())).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void withoutDualClipTheLargeRatioKeepsItsUnclippedLossAndGradient() {
        NDArray logp = logRatios();
        logp.setRequiresGradient(true);
        PolicyLossOutput out;
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            out = PolicyLosses.ppoClip(logp, logp.zerosLike(), f64(new double[][] {ADV}), ClipRange.of(0.2, 0.28));
            gc.backward(out.loss().sum());
        }
        assertThat(rows(out.loss())[0][2]).isCloseTo(8, within(1e-12));
        assertThat(rows(logp.getGradient())[0][2]).isCloseTo(8, within(1e-12));
        assertAllZero(values(out.dualClipped()), "values");
    }

    @Test
    void logRatioIsClampedSoHugeDifferencesStayFinite() {
        NDArray logp = f32(new double[][] {{100, -100}});
        PolicyLossOutput out = PolicyLosses.ppoClip(logp, logp.zerosLike(), f32(new double[][] {{-1, 1}}), CLIP);
        assertFinite(out.loss());
        assertThat(rows(out.ratio())[0][0]).isCloseTo(Math.exp(20), within(1e3));
        assertThat(rows(out.loss())[0][0]).isCloseTo(3, within(1e-6)); // dual-clip cap -c*A
    }

    @Test
    void gspoMatchesTheSequenceLevelLossInValueAndGradient() {
        Random rnd = new Random(5);
        int[] lengths = {4, 2, 1, 0};
        int t = 4;
        double[][] l = new double[lengths.length][t];
        double[][] old = new double[lengths.length][t];
        for (int i = 0; i < lengths.length; i++) {
            for (int k = 0; k < t; k++) {
                l[i][k] = -1 + 0.3 * rnd.nextGaussian();
                old[i][k] = l[i][k] + 0.2 * rnd.nextGaussian();
            }
        }
        double[] seqAdv = {1.0, -0.5, 2.0, 0.7};
        ClipRange clip = ClipRange.of(0.05, 0.08);
        NDArray mask = f64(maskOf(t, lengths));
        AggregationPlan plan =
                AggregationPlan.forStep(Algorithms.AGGREGATIONS.get("seq-mean-token-mean"), java.util.List.of(mask));

        NDArray leaf = f64(l);
        leaf.setRequiresGradient(true);
        NDArray tokenLoss;
        NDArray value;
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray adv = Masked.broadcast(manager.create(seqAdv), mask);
            tokenLoss = PolicyLosses.gspo(leaf, f64(old), adv, mask, clip).loss();
            value = plan.aggregate(tokenLoss, mask);
            gc.backward(value);
        }

        // reference: s_i = exp(mean_t(l - l_old)), L_i = -min(s A, clip(s) A), averaged over the 3 non-empty rows
        NDArray ref = f64(l);
        ref.setRequiresGradient(true);
        NDArray refValue;
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray len = mask.sum(new int[] {1}).maximum(1);
            NDArray s = ref.sub(f64(old)).mul(mask).sum(new int[] {1}).div(len).exp();
            NDArray a = manager.create(seqAdv);
            NDArray perSeq = s.mul(a)
                    .minimum(s.clip(0.95, 1.08).mul(a))
                    .neg()
                    .mul(mask.sum(new int[] {1}).gt(0).toType(ai.djl.ndarray.types.DataType.FLOAT64, false));
            refValue = perSeq.sum().div(3);
            gc.backward(refValue);
        }
        // the sequence ratios straddle the clip range, so both branches are exercised
        double[] logS = new double[3];
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < lengths[i]; k++) {
                logS[i] += (l[i][k] - old[i][k]) / lengths[i];
            }
        }
        long inside = java.util.Arrays.stream(logS)
                .filter(x -> Math.exp(x) >= 0.95 && Math.exp(x) <= 1.08)
                .count();
        assertThat(inside)
                .as("sequence ratios %s", java.util.Arrays.toString(logS))
                .isBetween(1L, 2L);
        assertThat(scalar(value)).isCloseTo(scalar(refValue), within(1e-12));
        assertAllClose(leaf.getGradient(), rows(ref.getGradient()), 1e-12);
        assertAllClose(manager.create(rows(leaf.getGradient())[3]), new double[4], 0);
    }

    @Test
    void cispoKeepsAGradientOnClippedTokens() {
        // l_old = 0; r = [1.5, 0.5, 1.1]; clip to [0.8, 1.28]
        NDArray logp = f64(new double[][] {{Math.log(1.5), Math.log(0.5), Math.log(1.1)}});
        logp.setRequiresGradient(true);
        NDArray adv = f64(new double[][] {{1, -1, 2}});
        double[] w = {1.28, 0.8, 1.1};
        PolicyLossOutput out;
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            out = PolicyLosses.cispo(logp, logp.zerosLike(), adv, ClipRange.of(0.2, 0.28));
            gc.backward(out.loss().sum());
        }
        double[] a = {1, -1, 2};
        double[] lv = {Math.log(1.5), Math.log(0.5), Math.log(1.1)};
        assertAllClose(
                out.loss(), new double[][] {{-w[0] * a[0] * lv[0], -w[1] * a[1] * lv[1], -w[2] * a[2] * lv[2]}}, 1e-12);
        assertAllClose(logp.getGradient(), new double[][] {{-w[0] * a[0], -w[1] * a[1], -w[2] * a[2]}}, 1e-12);
        assertAllClose(out.clippedHigh(), new double[][] {{1, 0, 0}}, 0);
        assertAllClose(out.clippedLow(), new double[][] {{0, 1, 0}}, 0);

        // TRL's upper-only clip: no lower bound
        NDArray upperOnly = PolicyLosses.cispo(
                        logp.stopGradient(), logp.zerosLike(), adv, ClipRange.of(Double.POSITIVE_INFINITY, 0.28))
                .loss();
        assertThat(rows(upperOnly)[0][1]).isCloseTo(-0.5 * a[1] * lv[1], within(1e-12));
    }

    @Test
    void entropyBonusSubtractsTheScaledEntropy() {
        NDArray loss = f32(new double[][] {{1, 2}});
        NDArray h = f32(new double[][] {{0.5, 1}});
        assertAllClose(PolicyLosses.withEntropyBonus(loss, h, 0.1), new double[][] {{0.95, 1.9}}, 1e-6);
    }

    @Test
    void clippedValueLossTakesTheLargerBranch() {
        // t0: (V-Ret)^2 = 1, V_clip = 0.5 + 0.2 = 0.7 -> 1.69: clipped branch, no gradient through the clip
        // t1: V = V_old, both branches (V-Ret)^2 = 4 -> L = 2, grad V - Ret = 2
        NDArray v = f64(new double[][] {{1.0, 2.0}});
        v.setRequiresGradient(true);
        ValueLoss.Output out;
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            out = ValueLoss.clipped(v, f64(new double[][] {{0.5, 2.0}}), f64(new double[][] {{2.0, 0.0}}), 0.2);
            gc.backward(out.loss().sum());
        }
        assertAllClose(out.loss(), new double[][] {{0.845, 2}}, 1e-12);
        assertAllClose(out.clipped(), new double[][] {{1, 0}}, 0);
        assertAllClose(v.getGradient(), new double[][] {{0, 2}}, 1e-12);
    }

    @Test
    void shapesAndClipSettingsAreValidated() {
        assertThatThrownBy(() -> PolicyLosses.ppoClip(
                        f32(new double[][] {{0, 0}}), f32(new double[][] {{0, 0}}), f32(1.0, 2), CLIP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Masked.broadcast");
        assertThatThrownBy(() -> ClipRange.of(0.2, 0.2).withDualClip(1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("> 1");
        assertThatThrownBy(() -> ClipRange.of(-0.1, 0.2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Algorithms.POLICY_LOSSES.entry("vanilla").name()).isEqualTo("clip");
    }
}
