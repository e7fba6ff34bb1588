package dev.alpharl.rewards.math;

/**
 * A real value met while evaluating an answer: the exact rational when one is known, its double value, and
 * whether it is approximate (it came from a decimal literal or an irrational operation such as a square root or
 * pi). Two non-approximate values are compared exactly; otherwise with a relative tolerance.
 */
public record Num(Fraction exact, double value, boolean approximate) {

    public static final Num POSITIVE_INFINITY = new Num(null, Double.POSITIVE_INFINITY, false);

    public static Num exact(Fraction f) {
        return new Num(f, f.doubleValue(), false);
    }

    /** A decimal literal: exactly known, but written with finite precision, so compared with a tolerance. */
    public static Num decimal(Fraction f) {
        return new Num(f, f.doubleValue(), true);
    }

    public static Num approx(double v) {
        if (Double.isNaN(v)) throw new ArithmeticException("undefined value");
        return new Num(null, v, true);
    }

    public boolean isInfinite() {
        return Double.isInfinite(value);
    }

    public Num add(Num o) {
        if (exact != null && o.exact != null)
            return new Num(exact.add(o.exact), exact.add(o.exact).doubleValue(), approximate || o.approximate);
        return approx(value + o.value);
    }

    public Num negate() {
        return exact != null ? new Num(exact.negate(), -value, approximate) : new Num(null, -value, approximate);
    }

    public Num subtract(Num o) {
        return add(o.negate());
    }

    public Num multiply(Num o) {
        if (exact != null && o.exact != null) {
            Fraction p = exact.multiply(o.exact);
            return new Num(p, p.doubleValue(), approximate || o.approximate);
        }
        return approx(value * o.value);
    }

    public Num divide(Num o) {
        if (o.exact != null ? o.exact.signum() == 0 : o.value == 0) throw new ArithmeticException("division by zero");
        if (exact != null && o.exact != null) {
            Fraction q = exact.divide(o.exact);
            return new Num(q, q.doubleValue(), approximate || o.approximate);
        }
        return approx(value / o.value);
    }

    /** Integer powers of exact values stay exact (size-capped by {@link Fraction#pow}); n-th roots stay exact when perfect. */
    public Num pow(Num e) {
        if (exact != null && e.exact != null && !e.approximate) {
            Fraction f = e.exact;
            if (f.isInteger()) {
                if (f.numerator().bitLength() > 31) throw new Fraction.TooLargeException("exponent too large: " + f);
                Fraction p = exact.pow(f.numerator().intValueExact());
                return new Num(p, p.doubleValue(), approximate);
            }
            if (f.denominator().equals(java.math.BigInteger.TWO)
                    && f.numerator().bitLength() <= 31) {
                Num root = sqrt();
                return root.pow(Num.exact(Fraction.of(f.numerator(), java.math.BigInteger.ONE)));
            }
        }
        double r = Math.pow(value, e.value);
        if (!Double.isFinite(r)) throw new Fraction.TooLargeException("power overflows: " + value + "^" + e.value);
        return approx(r);
    }

    public Num sqrt() {
        if (value < 0) throw new ArithmeticException("square root of a negative number");
        if (exact != null) {
            Fraction r = exact.sqrtExact();
            if (r != null) return new Num(r, r.doubleValue(), approximate);
        }
        return approx(Math.sqrt(value));
    }

    /** n-th root for a positive integer n (exact when perfect, else approximate). */
    public Num root(Num n) {
        if (n.exact == null
                || !n.exact.isInteger()
                || n.exact.signum() <= 0
                || n.exact.numerator().bitLength() > 16) {
            throw new ArithmeticException("unsupported root index");
        }
        int k = n.exact.numerator().intValueExact();
        if (k == 2) return sqrt();
        double r = value < 0 && k % 2 == 1 ? -Math.pow(-value, 1.0 / k) : Math.pow(value, 1.0 / k);
        if (Double.isNaN(r)) throw new ArithmeticException("even root of a negative number");
        if (exact != null) {
            long rounded = Math.round(r);
            Fraction candidate = Fraction.of(rounded);
            if (exact.isInteger() && candidate.pow(k).equals(exact)) return new Num(candidate, rounded, approximate);
        }
        return approx(r);
    }

    /**
     * Equality: exact when neither side is approximate; otherwise |a − b| ≤ relTol · max(|a|, |b|).
     * Infinities are equal only to the same infinity.
     */
    public boolean sameAs(Num o, double relTol) {
        if (isInfinite() || o.isInfinite()) return value == o.value;
        if (!approximate && !o.approximate && exact != null && o.exact != null) return exact.equals(o.exact);
        if (exact != null && o.exact != null && exact.equals(o.exact)) return true;
        double diff = Math.abs(value - o.value);
        return diff <= relTol * Math.max(Math.abs(value), Math.abs(o.value));
    }

    @Override
    public String toString() {
        return exact != null && !approximate ? exact.toString() : Double.toString(value);
    }
}
