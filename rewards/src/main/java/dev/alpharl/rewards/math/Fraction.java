package dev.alpharl.rewards.math;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An exact rational number p/q with BigInteger parts, always reduced, q > 0.
 * Immutable; sizes are bounded by the callers (see {@link #MAX_BITS}) so that no input can make arithmetic explode.
 */
public final class Fraction implements Comparable<Fraction> {
    /** Largest numerator/denominator bit length any operation may produce; beyond it {@link TooLargeException}. */
    public static final int MAX_BITS = 4096;

    public static final Fraction ZERO = new Fraction(BigInteger.ZERO, BigInteger.ONE);
    public static final Fraction ONE = new Fraction(BigInteger.ONE, BigInteger.ONE);

    private final BigInteger num;
    private final BigInteger den;

    private Fraction(BigInteger num, BigInteger den) {
        this.num = num;
        this.den = den;
    }

    /** Thrown when a result would exceed {@link #MAX_BITS}: the caller falls back or rejects the input. */
    public static final class TooLargeException extends ArithmeticException {
        public TooLargeException(String message) {
            super(message);
        }
    }

    public static Fraction of(long n) {
        return new Fraction(BigInteger.valueOf(n), BigInteger.ONE);
    }

    public static Fraction of(BigInteger num, BigInteger den) {
        if (den.signum() == 0) throw new ArithmeticException("division by zero");
        if (den.signum() < 0) {
            num = num.negate();
            den = den.negate();
        }
        BigInteger g = num.gcd(den);
        if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
            num = num.divide(g);
            den = den.divide(g);
        }
        if (num.signum() == 0) den = BigInteger.ONE;
        checkSize(num);
        checkSize(den);
        return new Fraction(num, den);
    }

    /** Parses a plain decimal literal such as "12", "-0.25", ".5" or "3." exactly. */
    public static Fraction parseDecimal(String s) {
        if (s.length() > 1000) throw new TooLargeException("number literal longer than 1000 characters");
        BigDecimal d = new BigDecimal(s.startsWith(".") ? "0" + s : s.endsWith(".") ? s + "0" : s);
        if (d.scale() <= 0) return of(d.toBigIntegerExact(), BigInteger.ONE);
        return of(d.unscaledValue(), BigInteger.TEN.pow(d.scale()));
    }

    private static void checkSize(BigInteger x) {
        if (x.bitLength() > MAX_BITS) throw new TooLargeException("number exceeds " + MAX_BITS + " bits");
    }

    public BigInteger numerator() {
        return num;
    }

    public BigInteger denominator() {
        return den;
    }

    public boolean isInteger() {
        return den.equals(BigInteger.ONE);
    }

    public int signum() {
        return num.signum();
    }

    public Fraction add(Fraction o) {
        return of(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
    }

    public Fraction subtract(Fraction o) {
        return of(num.multiply(o.den).subtract(o.num.multiply(den)), den.multiply(o.den));
    }

    public Fraction multiply(Fraction o) {
        return of(num.multiply(o.num), den.multiply(o.den));
    }

    public Fraction divide(Fraction o) {
        if (o.num.signum() == 0) throw new ArithmeticException("division by zero");
        return of(num.multiply(o.den), den.multiply(o.num));
    }

    public Fraction negate() {
        return new Fraction(num.negate(), den);
    }

    public Fraction abs() {
        return num.signum() < 0 ? negate() : this;
    }

    /**
     * this^e for an integer exponent; refused (TooLargeException) when the result would exceed MAX_BITS,
     * checked from the operand sizes before any multiplication happens.
     */
    public Fraction pow(int e) {
        if (e == 0) return ONE;
        long bits = (long) Math.max(num.bitLength(), den.bitLength()) * Math.abs((long) e);
        if (bits > MAX_BITS) throw new TooLargeException("power result exceeds " + MAX_BITS + " bits");
        Fraction p = of(num.pow(Math.abs(e)), den.pow(Math.abs(e)));
        return e > 0 ? p : ONE.divide(p);
    }

    /** The exact square root when numerator and denominator are perfect squares, else null. */
    public Fraction sqrtExact() {
        if (num.signum() < 0) return null;
        BigInteger rn = num.sqrt();
        BigInteger rd = den.sqrt();
        if (rn.multiply(rn).equals(num) && rd.multiply(rd).equals(den)) return of(rn, rd);
        return null;
    }

    public double doubleValue() {
        double d = num.doubleValue() / den.doubleValue();
        if (Double.isFinite(d)) return d;
        return new BigDecimal(num)
                .divide(new BigDecimal(den), java.math.MathContext.DECIMAL64)
                .doubleValue();
    }

    @Override
    public int compareTo(Fraction o) {
        return num.multiply(o.den).compareTo(o.num.multiply(den));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fraction f && f.num.equals(num) && f.den.equals(den);
    }

    @Override
    public int hashCode() {
        return num.hashCode() * 31 + den.hashCode();
    }

    @Override
    public String toString() {
        return isInteger() ? num.toString() : num + "/" + den;
    }
}
