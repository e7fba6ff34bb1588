package dev.alpharl.trainer.alpharl;

/**
 * One-component PLS of a response y ∈ Rⁿ on rows a_i ∈ R^d (ALPHARL.md §4), in closed form:
 * <pre>
 *   μ = column means of X;  s = column std (ddof 1; 1 where it is 0) when scaling, else 1
 *   Xs = (X − μ) ⊘ s,  yc = y − ȳ
 *   w = Xsᵀ yc / ‖Xsᵀ yc‖     τ = Xs w     p = Xsᵀ τ / (τᵀτ)     b = τᵀ yc / (τᵀτ)
 *   R² = b² (τᵀτ) / (ycᵀ yc)
 *   inversion at y*:  τ* = (y* − ȳ)/b,  â = μ + τ*·(p ⊙ s)
 * </pre>
 * Equal to scikit-learn's PLSRegression(n_components=1) → LinearRegression → inverse_transform. Scaling y changes
 * neither w nor the inversion, so y is only centred. Degenerate input (flat y or X) gives τ = 0 and b = 0, which
 * {@link Fit#invert} rejects.
 */
public final class Pls1 {

    private Pls1() {}

    /**
     * Guards of the inversion: reject when |b| ≤ {@code minAbsSlope} (flat response: τ* would explode), and cap
     * |τ*| at {@code maxTauMultiple}·max_i |τ_i|.
     */
    public record Guards(double minAbsSlope, double maxTauMultiple) {
        public static final Guards DEFAULTS = new Guards(1e-12, 25);
    }

    /** A fitted PLS1 model; arrays are length d (mean, scale, weights, loadings) or n (scores). */
    public record Fit(
            double[] mean,
            double[] scale,
            double[] weights,
            double[] scores,
            double[] loadings,
            double slope,
            double yMean,
            double rSquared) {

        /** â at y* with the guards applied. */
        public Inversion invert(double yStar, Guards guards) {
            if (!(Math.abs(slope) > guards.minAbsSlope())) {
                return new Inversion(
                        Double.NaN,
                        false,
                        null,
                        String.format(
                                "PLS slope |b| = %.3g is below %.3g (flat response)",
                                Math.abs(slope), guards.minAbsSlope()));
            }
            double tau = (yStar - yMean) / slope;
            double maxTau = 0;
            for (double t : scores) {
                maxTau = Math.max(maxTau, Math.abs(t));
            }
            double cap = guards.maxTauMultiple() * maxTau;
            boolean capped = Math.abs(tau) > cap;
            if (capped) {
                tau = Math.copySign(cap, tau);
            }
            double[] a = new double[mean.length];
            for (int j = 0; j < a.length; j++) {
                a[j] = mean[j] + tau * loadings[j] * scale[j];
            }
            return new Inversion(tau, capped, a, null);
        }
    }

    /**
     * @param tauStar   the score at y* (after capping)
     * @param capped    whether |τ*| was capped
     * @param predicted â (null when rejected)
     * @param rejected  why no prediction is made, or null
     */
    public record Inversion(double tauStar, boolean capped, double[] predicted, String rejected) {}

    /** Fits PLS1 of y on the rows of x (n ≥ 2 rows of equal length d). */
    public static Fit fit(double[][] x, double[] y, boolean scaleX) {
        int n = x.length;
        if (n < 2 || y.length != n) {
            throw new IllegalArgumentException(
                    "PLS1 needs n ≥ 2 rows and as many responses, got " + n + " rows and " + y.length + " responses");
        }
        int d = x[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (double[] row : x) {
            if (row.length != d) {
                throw new IllegalArgumentException("PLS1 rows differ in length: " + row.length + " vs " + d);
            }
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / n;
            }
        }
        for (int j = 0; j < d; j++) {
            double ss = 0;
            for (double[] row : x) {
                ss += (row[j] - mean[j]) * (row[j] - mean[j]);
            }
            double std = Math.sqrt(ss / (n - 1));
            scale[j] = scaleX && std > 0 ? std : 1;
        }
        double yMean = Vectors.mean(y);
        double[] yc = new double[n];
        for (int i = 0; i < n; i++) {
            yc[i] = y[i] - yMean;
        }
        double[][] xs = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                xs[i][j] = (x[i][j] - mean[j]) / scale[j];
            }
        }
        double[] w = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                w[j] += xs[i][j] * yc[i];
            }
        }
        double wNorm = Vectors.norm(w);
        double[] tau = new double[n];
        double[] p = new double[d];
        if (wNorm == 0) {
            return new Fit(mean, scale, w, tau, p, 0, yMean, 0);
        }
        for (int j = 0; j < d; j++) {
            w[j] /= wNorm;
        }
        for (int i = 0; i < n; i++) {
            tau[i] = Vectors.dot(xs[i], w);
        }
        double tt = Vectors.dot(tau, tau);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                p[j] += xs[i][j] * tau[i] / tt;
            }
        }
        double b = Vectors.dot(tau, yc) / tt;
        double r2 = b * b * tt / Vectors.dot(yc, yc);
        return new Fit(mean, scale, w, tau, p, b, yMean, r2);
    }
}
