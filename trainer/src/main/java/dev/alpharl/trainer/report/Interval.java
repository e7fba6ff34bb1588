package dev.alpharl.trainer.report;

/** A two-sided confidence interval; a bound may be infinite when the data cannot bound it. */
public record Interval(double low, double high) {
    public boolean isBounded() {
        return Double.isFinite(low) && Double.isFinite(high);
    }

    public boolean contains(double value) {
        return value >= low && value <= high;
    }
}
