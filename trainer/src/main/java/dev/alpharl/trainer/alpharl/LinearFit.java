package dev.alpharl.trainer.alpharl;

/**
 * Ordinary least squares of y on one regressor, y ≈ α·x + β:
 * α = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)², β = ȳ − α·x̄.
 */
public record LinearFit(double slope, double intercept) {

    /** The OLS line through (x_i, y_i); needs at least two distinct x. */
    public static LinearFit of(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x and y differ in length: " + x.length + " vs " + y.length);
        }
        double mx = Vectors.mean(x);
        double my = Vectors.mean(y);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        if (!(sxx > 0)) {
            throw new IllegalArgumentException(
                    "a linear fit needs at least two distinct x values, got " + x.length + " point(s)");
        }
        double slope = sxy / sxx;
        return new LinearFit(slope, my - slope * mx);
    }

    /** α·x + β. */
    public double at(double x) {
        return slope * x + intercept;
    }

    /**
     * R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² on the given points (in-sample on the fit points, out-of-sample on held-out
     * ones, where it can be far below 0). NaN when the points have no variance.
     */
    public double rSquared(double[] x, double[] y) {
        double my = Vectors.mean(y);
        double sse = 0;
        double sst = 0;
        for (int i = 0; i < x.length; i++) {
            double r = y[i] - at(x[i]);
            sse += r * r;
            sst += (y[i] - my) * (y[i] - my);
        }
        return sst > 0 ? 1 - sse / sst : Double.NaN;
    }
}
