package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Pls1Test {

    private static final double EPS = 1e-12;

    /**
     * Worked by hand: X = [[1,2],[2,1],[3,4]], y = [0,1,2], no scaling. μ = [2, 7/3], Xcᵀyc = [2, 2], w = [1,1]/√2,
     * τ = [−4, −4, 8]/(3√2), τᵀτ = 16/3, b = 3√2/8, R² = 3/4, p = [3√2/8, 20/(16√2)]; at y* = 3: τ* = 16/(3√2),
     * â = [4, 17/3].
     */
    @Test
    void matchesTheHandWorkedThreeByTwoCase() {
        double[][] x = {{1, 2}, {2, 1}, {3, 4}};
        Pls1.Fit fit = Pls1.fit(x, new double[] {0, 1, 2}, false);
        double r2 = Math.sqrt(2);
        assertThat(fit.mean()).containsExactly(new double[] {2, 7.0 / 3}, within(EPS));
        assertThat(fit.weights()).containsExactly(new double[] {1 / r2, 1 / r2}, within(EPS));
        assertThat(fit.scores())
                .containsExactly(new double[] {-4 / (3 * r2), -4 / (3 * r2), 8 / (3 * r2)}, within(EPS));
        assertThat(fit.loadings()).containsExactly(new double[] {3 * r2 / 8, 20 / (16 * r2)}, within(EPS));
        assertThat(fit.slope()).isCloseTo(3 * r2 / 8, within(EPS));
        assertThat(fit.yMean()).isCloseTo(1, within(EPS));
        assertThat(fit.rSquared()).isCloseTo(0.75, within(EPS));

        Pls1.Inversion inv = fit.invert(3, Pls1.Guards.DEFAULTS);
        assertThat(inv.rejected()).isNull();
        assertThat(inv.capped()).isFalse();
        assertThat(inv.tauStar()).isCloseTo(16 / (3 * r2), within(EPS));
        assertThat(inv.predicted()).containsExactly(new double[] {4, 17.0 / 3}, within(EPS));
    }

    @Test
    void capsTauAtAMultipleOfTheLargestWindowScoreAndRejectsAFlatResponse() {
        Pls1.Fit fit = Pls1.fit(new double[][] {{1, 2}, {2, 1}, {3, 4}}, new double[] {0, 1, 2}, false);
        // max|τ_i| = 8/(3√2); τ* = 16/(3√2) = 2·max, so a cap at 1.5·max binds.
        Pls1.Inversion capped = fit.invert(3, new Pls1.Guards(1e-12, 1.5));
        assertThat(capped.capped()).isTrue();
        assertThat(capped.tauStar()).isCloseTo(1.5 * 8 / (3 * Math.sqrt(2)), within(EPS));

        Pls1.Fit flat = Pls1.fit(new double[][] {{1, 2}, {2, 1}, {3, 4}}, new double[] {0.5, 0.5, 0.5}, false);
        Pls1.Inversion rejected = flat.invert(1, Pls1.Guards.DEFAULTS);
        assertThat(rejected.predicted()).isNull();
        assertThat(rejected.rejected()).contains("flat response");
    }

    /** With one column PLS1 is OLS of y on x, and inverting it solves ȳ + β(x* − x̄) = y* for x*. */
    @Test
    void oneFeatureReducesToInvertedOrdinaryLeastSquares() {
        double[] xs = {0.3, 1.1, 1.9, 3.2, 4.0};
        double[] y = {0.1, 0.35, 0.4, 0.8, 0.9};
        double[][] x = new double[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            x[i] = new double[] {xs[i]};
        }
        double mx = 0, my = 0;
        for (int i = 0; i < xs.length; i++) {
            mx += xs[i] / xs.length;
            my += y[i] / xs.length;
        }
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < xs.length; i++) {
            sxy += (xs[i] - mx) * (y[i] - my);
            sxx += (xs[i] - mx) * (xs[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        double beta = sxy / sxx;
        for (boolean scale : new boolean[] {false, true}) {
            Pls1.Fit fit = Pls1.fit(x, y, scale);
            assertThat(fit.rSquared()).isCloseTo(sxy * sxy / (sxx * syy), within(EPS));
            assertThat(fit.invert(1.2, Pls1.Guards.DEFAULTS).predicted()[0])
                    .isCloseTo(mx + (1.2 - my) / beta, within(1e-10));
        }
    }

    /** Rows exactly on a line a(y) = c + (y − ȳ)·D are recovered at any y*, with R² = 1, scaled or not. */
    @Test
    void recoversAnExactLineAndIsEquivariantToColumnScaling() {
        SplittableRandom rnd = new SplittableRandom(7);
        int d = 50;
        double[] c = new double[d];
        double[] dir = new double[d];
        for (int j = 0; j < d; j++) {
            c[j] = rnd.nextGaussian();
            dir[j] = rnd.nextGaussian();
        }
        double[] y = {0.2, 0.25, 0.33, 0.31, 0.45, 0.5};
        double yMean = Vectors.mean(y);
        double[][] x = new double[y.length][d];
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = c[j] + (y[i] - yMean) * dir[j];
            }
        }
        for (boolean scale : new boolean[] {false, true}) {
            Pls1.Fit fit = Pls1.fit(x, y, scale);
            assertThat(fit.rSquared()).isCloseTo(1, within(1e-12));
            double[] a = fit.invert(0.9, Pls1.Guards.DEFAULTS).predicted();
            for (int j = 0; j < d; j++) {
                assertThat(a[j]).isCloseTo(c[j] + (0.9 - yMean) * dir[j], within(1e-10));
            }
        }
        // Scaling X's columns: the scaled fit's R² is unchanged and its prediction scales with the column.
        double[][] noisy = new double[y.length][d];
        double[][] stretched = new double[y.length][d];
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < d; j++) {
                noisy[i][j] = x[i][j] + 0.3 * rnd.nextGaussian();
                stretched[i][j] = noisy[i][j] * (j + 1);
            }
        }
        Pls1.Fit a = Pls1.fit(noisy, y, true);
        Pls1.Fit b = Pls1.fit(stretched, y, true);
        assertThat(b.rSquared()).isCloseTo(a.rSquared(), within(1e-12));
        double[] pa = a.invert(0.7, Pls1.Guards.DEFAULTS).predicted();
        double[] pb = b.invert(0.7, Pls1.Guards.DEFAULTS).predicted();
        for (int j = 0; j < d; j++) {
            assertThat(pb[j]).isCloseTo(pa[j] * (j + 1), within(1e-9));
        }
    }

    @Test
    void linearFitAndTargetRewardExtrapolation() {
        double[] steps = {10, 20, 30, 40};
        double[] reward = {0.2, 0.3, 0.4, 0.5};
        LinearFit line = LinearFit.of(steps, reward);
        assertThat(line.slope()).isCloseTo(0.01, within(EPS));
        assertThat(line.intercept()).isCloseTo(0.1, within(EPS));
        assertThat(line.rSquared(steps, reward)).isCloseTo(1, within(EPS));
        assertThat(TargetReward.extrapolated(steps, reward, 60, 1.0)).isCloseTo(0.7, within(EPS));
        assertThat(TargetReward.extrapolated(steps, reward, 200, 1.0)).isEqualTo(1.0);
        // out-of-sample: the line gives 0.6, 0.7; SSE = 0.01, SST about their mean 0.6 = 0.02
        assertThat(line.rSquared(new double[] {50, 60}, new double[] {0.5, 0.7}))
                .isCloseTo(1 - 0.01 / 0.02, within(EPS));
    }
}
