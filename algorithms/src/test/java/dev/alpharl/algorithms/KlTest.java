package dev.alpharl.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

class KlTest extends NdTestBase {
    private static final double[] X = {-1, 0, 0.5, 2};

    private double[][] estimateAndGradient(KlEstimator estimator, double[] x, double[][] valueOut) {
        NDArray logp = f64(new double[][] {x});
        logp.setRequiresGradient(true);
        NDArray ref = logp.zerosLike();
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray k = estimator.estimate(logp, ref);
            valueOut[0] = rows(k)[0];
            gc.backward(k.sum());
        }
        return rows(logp.getGradient());
    }

    @Test
    void estimatorsMatchTheirFormulasInValueAndGradient() {
        double[][] value = new double[1][];
        for (var entry : Algorithms.KL_ESTIMATORS.entries()) {
            String e = entry.name();
            double[][] grad = estimateAndGradient(entry.value(), X, value);
            for (int i = 0; i < X.length; i++) {
                double x = X[i];
                double k1 = x;
                double k2 = 0.5 * x * x;
                double k3 = Math.exp(-x) - 1 + x;
                double[] expected = switch (e) {
                    case "k1" -> new double[] {k1, 1};
                    case "k2" -> new double[] {k2, x};
                    case "k3" -> new double[] {k3, 1 - Math.exp(-x)};
                    case "abs" -> new double[] {Math.abs(x), Math.signum(x)};
                    case "k1+" -> new double[] {k1, x};
                    case "k3+" -> new double[] {k3, x};
                    default -> throw new AssertionError("untested KL estimator " + e);
                };
                assertThat(value[0][i]).as("%s value at x=%s", e, x).isCloseTo(expected[0], within(1e-12));
                if (!(e.equals("abs") && x == 0)) {
                    assertThat(grad[0][i]).as("%s gradient at x=%s", e, x).isCloseTo(expected[1], within(1e-12));
                }
            }
        }
    }

    @Test
    void clampsKeepExtremeLogRatiosFinite() {
        double[][] value = new double[1][];
        // x = -30 is clamped to -20 and k3 = e^20 - 21 is clamped to 10; x = 30 -> 20 -> k3 = 19 -> 10
        double[][] grad = estimateAndGradient(KlEstimators::k3, new double[] {-30, 30, -5}, value);
        assertThat(value[0][0]).isEqualTo(10);
        assertThat(value[0][1]).isEqualTo(10);
        assertThat(value[0][2]).isEqualTo(10); // e^5 - 6 = 142.4, clamped
        assertAllZero(grad[0], "values");
        estimateAndGradient(KlEstimators::k1, new double[] {-30, 30}, value);
        assertThat(value[0]).containsExactly(-20.0, 20.0);
    }

    @Test
    void k1AndK3AreUnbiasedForTheClosedFormKl() {
        // categorical pi and ref over 4 tokens: E_pi[k1] = E_pi[k3] = KL(pi || ref) exactly; E_pi[k2] >= KL
        double[] pi = {0.5, 0.25, 0.15, 0.10};
        double[] ref = {0.25, 0.25, 0.25, 0.25};
        double kl = 0;
        double[] lp = new double[4];
        double[] lr = new double[4];
        for (int v = 0; v < 4; v++) {
            lp[v] = Math.log(pi[v]);
            lr[v] = Math.log(ref[v]);
            kl += pi[v] * (lp[v] - lr[v]);
        }
        // 0.5 ln 2 + 0.15 ln 0.6 + 0.1 ln 0.4
        assertThat(kl).isCloseTo(0.1783207, within(1e-6));
        NDArray weights = f64(new double[][] {pi});
        for (String e : List.of("k1", "k3", "k2")) {
            double expectation = scalar(Algorithms.KL_ESTIMATORS
                    .get(e)
                    .estimate(f64(new double[][] {lp}), f64(new double[][] {lr}))
                    .mul(weights)
                    .sum());
            if (e.equals("k2")) {
                assertThat(expectation).isGreaterThan(kl * 0.9).isNotCloseTo(kl, within(1e-3));
            } else {
                assertThat(expectation).as(e).isCloseTo(kl, within(1e-12));
            }
        }
    }

    @Test
    void rewardPenaltyIsDetachedAndMasked() {
        NDArray logp = f64(new double[][] {{0.5, -0.2, 3}});
        logp.setRequiresGradient(true);
        NDArray rewards = f64(new double[][] {{0, 1, 0}});
        NDArray penalized;
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray kl = KlEstimators.k1(logp, logp.zerosLike());
            penalized = KlPenalty.penalizeRewards(rewards, kl, 0.1, f64(maskOf(3, 2)));
            // only a detached value: backward through a graph-connected term to allow the call
            gc.backward(penalized.sum().add(logp.sum().mul(0)));
        }
        assertAllClose(penalized, new double[][] {{-0.05, 1.02, 0}}, 1e-12);
        assertAllZero(rows(logp.getGradient())[0], "values");
        NDArray loss = KlPenalty.addToLoss(f64(new double[][] {{1, 1}}), f64(new double[][] {{0.5, 2}}), 0.04);
        assertAllClose(loss, new double[][] {{1.02, 1.08}}, 1e-12);
    }

    @Test
    void adaptiveControllerFollowsZieglersRule() {
        KlController c = KlController.adaptive(0.1, 0.1, 10_000);
        // KL 50% above target: error clipped to +0.2
        KlController up = c.update(0.15, 256);
        assertThat(up.beta()).isCloseTo(0.1 * (1 + 0.2 * 256 / 10_000.0), within(1e-15));
        // KL 10% below target: error -0.1
        KlController down = c.update(0.09, 1000);
        assertThat(down.beta()).isCloseTo(0.1 * (1 - 0.1 * 1000 / 10_000.0), within(1e-15));
        // pure: the original is unchanged, and the update composes
        assertThat(c.beta()).isEqualTo(0.1);
        assertThat(up.update(0.15, 256).beta()).isCloseTo(0.1 * Math.pow(1 + 0.2 * 0.0256, 2), within(1e-15));
        assertThat(KlController.fixed(0.001).update(5, 100).beta()).isEqualTo(0.001);
        assertThatThrownBy(() -> c.update(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KlController.adaptive(0.1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("target");
    }

    @Test
    void configNamesAcceptVerlAliases() {
        assertThat(Algorithms.KL_ESTIMATORS.entry("low_var_kl").name()).isEqualTo("k3");
        assertThat(Algorithms.KL_ESTIMATORS.entry("K3+").name()).isEqualTo("k3+");
        assertThat(Algorithms.KL_ESTIMATORS.entry("mse").name()).isEqualTo("k2");
        assertThatThrownBy(() -> Algorithms.KL_ESTIMATORS.get("k4")).hasMessageContaining("k1, k2, k3, abs, k1+, k3+");
    }
}
