package dev.alpharl.rewards.math;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact simplification of an {@link Expr} into a normal form: a quotient of two {@link Polynomial}s (the
 * denominator is 1 whenever it is a single term, e.g. π/2 or 1/√2 = √2/2). Rational arithmetic is exact; radicals
 * of rationals are split into prime radicals (√12 = 2√3, ∛(1/4) = ∛2/2, √−4 = 2i); integer powers of sums are
 * expanded; functions (sin, ln, …), powers with a symbolic exponent and radicals of sums are kept as opaque atoms
 * keyed by their simplified arguments. Two forms are equal when {@code a.num · b.den = b.num · a.den}.
 */
final class Simplifier {
    private Simplifier() {}

    /** Integer powers of a sum are expanded up to this exponent; larger ones stay opaque. */
    private static final int MAX_EXPANDED_POWER = 24;
    /** Trial division bound: a cofactor below its square that has no smaller prime factor is prime. */
    private static final int SMALL_PRIME_BOUND = 1000;

    private static final int[] SMALL_PRIMES = primesBelow(SMALL_PRIME_BOUND);

    /** A simplified expression num/den. */
    record Form(Polynomial num, Polynomial den) {
        static Form of(Polynomial p) {
            return new Form(p, Polynomial.constant(Fraction.ONE));
        }

        boolean sameAs(Form o) {
            return num.multiply(o.den).equals(o.num.multiply(den));
        }

        boolean isReliable() {
            return num.isReliable() && den.isReliable();
        }

        /** The rational value when the form has no atoms, else null. */
        Fraction constantValue() {
            Fraction n = num.constantValue(), d = den.constantValue();
            return n == null || d == null || d.signum() == 0 ? null : n.divide(d);
        }

        @Override
        public String toString() {
            Fraction d = den.constantValue();
            return d != null && d.equals(Fraction.ONE) ? "(" + num + ")" : "(" + num + ")/(" + den + ")";
        }
    }

    /** The normal form of e; TooComplexException (or another ArithmeticException) when it has none here. */
    static Form simplify(Expr e) {
        if (e instanceof Expr.Number n) return Form.of(Polynomial.constant(n.value()));
        if (e instanceof Expr.Symbol s) return Form.of(Polynomial.atom("s:" + s.name()));
        if (e instanceof Expr.Constant c) {
            return switch (c.kind()) {
                case PI -> Form.of(Polynomial.atom("c:pi"));
                case E -> Form.of(Polynomial.atom("c:e"));
                case I -> Form.of(Polynomial.atom("c:i"));
                case INFINITY -> throw new Polynomial.TooComplexException("infinity");
            };
        }
        if (e instanceof Expr.Sum s) {
            Form acc = null;
            for (Expr t : s.terms()) acc = acc == null ? simplify(t) : add(acc, simplify(t));
            return acc;
        }
        if (e instanceof Expr.Product p) {
            Form acc = null;
            for (Expr f : p.factors()) acc = acc == null ? simplify(f) : multiply(acc, simplify(f));
            return acc;
        }
        if (e instanceof Expr.Power p) return power(simplify(p.base()), simplify(p.exponent()));
        if (e instanceof Expr.Function f) return function(f);
        throw new IllegalStateException("unknown expression " + e);
    }

    static Form add(Form a, Form b) {
        if (a.den().equals(b.den())) return normalize(a.num().add(b.num()), a.den());
        return normalize(
                a.num().multiply(b.den()).add(b.num().multiply(a.den())),
                a.den().multiply(b.den()));
    }

    static Form multiply(Form a, Form b) {
        return normalize(a.num().multiply(b.num()), a.den().multiply(b.den()));
    }

    static Form reciprocal(Form a) {
        if (a.num().isZero()) throw new ArithmeticException("division by zero");
        return normalize(a.den(), a.num());
    }

    /** Folds a single-term denominator into the numerator, so that most forms have denominator 1. */
    private static Form normalize(Polynomial num, Polynomial den) {
        if (den.isZero()) throw new ArithmeticException("division by zero");
        if (num.isZero()) return Form.of(Polynomial.ZERO);
        Polynomial.Term t = den.singleTerm();
        if (t != null) {
            Polynomial.Term inv = Polynomial.power(t.monomial(), Fraction.ONE.negate());
            Fraction c = inv.coefficient().divide(t.coefficient());
            return Form.of(num.multiply(Polynomial.of(new Polynomial.Term(c, inv.monomial()))));
        }
        return new Form(num, den);
    }

    private static Form power(Form base, Form exponent) {
        Fraction r = exponent.constantValue();
        if (r == null) return opaque("pow", List.of(base, exponent));
        if (r.signum() == 0) {
            if (base.num().isZero()) throw new ArithmeticException("0^0");
            return Form.of(Polynomial.constant(Fraction.ONE));
        }
        if (r.signum() < 0) return reciprocal(power(base, Form.of(Polynomial.constant(r.negate()))));
        Polynomial.Term num = base.num().singleTerm(), den = base.den().singleTerm();
        if (num != null && den != null) {
            Polynomial.Term n = termPower(num, r), d = termPower(den, r);
            return normalize(Polynomial.of(n), Polynomial.of(d));
        }
        if (r.isInteger() && r.numerator().bitLength() < 16 && r.numerator().intValue() <= MAX_EXPANDED_POWER) {
            int k = r.numerator().intValue();
            if (maxTerms(base.num().terms.size(), k) > Polynomial.MAX_TERMS
                    || maxTerms(base.den().terms.size(), k) > Polynomial.MAX_TERMS)
                return opaque("pow", List.of(base, exponent)); // too many terms: kept whole, still comparable
            try {
                return normalize(base.num().pow(k), base.den().pow(k));
            } catch (Polynomial.TooComplexException e) {
                return opaque("pow", List.of(base, exponent)); // too many terms: kept whole, still comparable
            }
        }
        if (r.denominator().equals(BigInteger.ONE)) return opaque("pow", List.of(base, exponent));
        return opaque("root", List.of(base, exponent)); // √(x+1), √(2+√3): kept whole
    }

    /** (c · m)^r for a rational r > 0, with c's radical split into prime radicals. */
    private static Polynomial.Term termPower(Polynomial.Term t, Fraction r) {
        Polynomial.Term m = Polynomial.power(t.monomial(), r);
        Polynomial.Term c = rationalPower(t.coefficient(), r);
        Polynomial.Term product = Polynomial.times(c.monomial(), m.monomial());
        return new Polynomial.Term(
                c.coefficient().multiply(m.coefficient()).multiply(product.coefficient()), product.monomial());
    }

    /** Terms of a t-term polynomial to the power k, at most: C(t + k − 1, k), or any value past the cap. */
    static long maxTerms(int t, int k) {
        long n = (long) t + k - 1, m = Math.min(k, t - 1);
        long c = 1;
        for (long i = 1; i <= m; i++) {
            c = c * (n - m + i) / i; // C(n - m + i, i): exact at every step
            if (c > Polynomial.MAX_TERMS) return c;
        }
        return c;
    }

    /** c^r for rationals c and r, as coefficient × prime radicals (× i for square roots of negatives). */
    static Polynomial.Term rationalPower(Fraction c, Fraction r) {
        if (r.isInteger()) {
            if (r.numerator().bitLength() > 31) throw new Polynomial.TooComplexException("exponent too large");
            return new Polynomial.Term(c.pow(r.numerator().intValueExact()), Polynomial.Monomial.ONE);
        }
        if (c.signum() == 0) return new Polynomial.Term(Fraction.ZERO, Polynomial.Monomial.ONE);
        Fraction sign = Fraction.ONE;
        Polynomial.Monomial imaginary = Polynomial.Monomial.ONE;
        if (c.signum() < 0) {
            BigInteger q = r.denominator();
            if (q.testBit(0)) { // odd root of a negative number: real and negative for odd numerators
                if (r.numerator().testBit(0)) sign = sign.negate();
            } else if (q.equals(BigInteger.TWO)) { // √(−c) = i√c
                Polynomial.Term i = Polynomial.reduce(
                        Fraction.ONE, new String[] {"c:i"}, new Fraction[] {Fraction.of(r.numerator(), BigInteger.ONE)
                        });
                sign = i.coefficient();
                imaginary = i.monomial();
            } else {
                throw new Polynomial.TooComplexException("even root of a negative number");
            }
            c = c.negate();
        }
        TreeMap<String, Fraction> atoms = new TreeMap<>();
        Fraction coefficient = sign;
        coefficient = coefficient.multiply(radical(c.numerator(), r, atoms, 1));
        coefficient = coefficient.multiply(radical(c.denominator(), r, atoms, -1));
        String[] names = atoms.keySet().toArray(new String[0]);
        Fraction[] exps = atoms.values().toArray(new Fraction[0]);
        Polynomial.Term t = Polynomial.reduce(coefficient, names, exps);
        Polynomial.Term withI = Polynomial.times(t.monomial(), imaginary);
        return new Polynomial.Term(t.coefficient().multiply(withI.coefficient()), withI.monomial());
    }

    /**
     * n^(sign·r) for a positive integer n: records prime radicals in {@code atoms} and returns the rational part.
     * Large cofactors without small prime factors that are not perfect powers become an {@code r:} atom.
     */
    private static Fraction radical(BigInteger n, Fraction r, Map<String, Fraction> atoms, int sign) {
        Fraction rational = Fraction.ONE;
        Fraction signed = sign > 0 ? r : r.negate();
        for (int p : SMALL_PRIMES) {
            if (n.equals(BigInteger.ONE)) break;
            BigInteger bp = BigInteger.valueOf(p);
            int k = 0;
            while (n.mod(bp).signum() == 0) {
                n = n.divide(bp);
                k++;
            }
            if (k > 0) atoms.merge("p:" + p, signed.multiply(Fraction.of(k)), Fraction::add);
        }
        if (n.equals(BigInteger.ONE)) return rational;
        if (n.compareTo(BigInteger.valueOf((long) SMALL_PRIME_BOUND * SMALL_PRIME_BOUND)) < 0) {
            atoms.merge("p:" + n, signed, Fraction::add); // no factor below 1000 and below 10^6: prime
            return rational;
        }
        BigInteger q = r.denominator();
        if (q.bitLength() < 8) {
            BigInteger root = exactRoot(n, q.intValue());
            if (root != null) {
                Fraction base = Fraction.of(root, BigInteger.ONE);
                int p = r.numerator().intValueExact();
                return rational.multiply(sign > 0 ? base.pow(p) : Fraction.ONE.divide(base.pow(p)));
            }
        }
        atoms.merge("r:" + n, signed, Fraction::add);
        return rational;
    }

    private static BigInteger exactRoot(BigInteger n, int k) {
        if (k == 2) {
            BigInteger s = n.sqrt();
            return s.multiply(s).equals(n) ? s : null;
        }
        double guess = Math.pow(n.doubleValue(), 1.0 / k);
        if (!Double.isFinite(guess)) return null;
        BigInteger g = java.math.BigDecimal.valueOf(Math.rint(guess)).toBigInteger();
        for (int d = -1; d <= 1; d++) {
            BigInteger c = g.add(BigInteger.valueOf(d));
            if (c.signum() > 0 && c.pow(k).equals(n)) return c;
        }
        return null;
    }

    private static Form function(Expr.Function f) {
        List<Form> args = new ArrayList<>();
        for (Expr a : f.args()) args.add(simplify(a));
        Fraction x = args.get(0).constantValue();
        switch (f.name()) {
            case "abs" -> {
                if (x != null) return constant(x.abs());
            }
            case "floor", "ceil" -> {
                if (x != null) {
                    BigInteger[] qr = x.numerator().divideAndRemainder(x.denominator());
                    BigInteger fl = x.signum() < 0 && qr[1].signum() != 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
                    if (f.name().equals("ceil") && !x.isInteger()) fl = fl.add(BigInteger.ONE);
                    return constant(Fraction.of(fl, BigInteger.ONE));
                }
            }
            case "factorial" -> {
                if (x != null
                        && x.isInteger()
                        && x.signum() >= 0
                        && x.numerator().intValue() <= 300
                        && x.numerator().bitLength() < 16) {
                    BigInteger p = BigInteger.ONE;
                    for (int i = 2; i <= x.numerator().intValue(); i++) p = p.multiply(BigInteger.valueOf(i));
                    return constant(Fraction.of(p, BigInteger.ONE));
                }
            }
            case "binom" -> {
                Fraction k = args.get(1).constantValue();
                if (x != null
                        && k != null
                        && x.isInteger()
                        && k.isInteger()
                        && x.signum() >= 0
                        && x.numerator().bitLength() < 12
                        && k.numerator().bitLength() < 12) {
                    int n = x.numerator().intValue(), kk = k.numerator().intValue();
                    if (kk < 0 || kk > n) return constant(Fraction.ZERO);
                    BigInteger c = BigInteger.ONE;
                    for (int i = 0; i < Math.min(kk, n - kk); i++)
                        c = c.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
                    return constant(Fraction.of(c, BigInteger.ONE));
                }
            }
            case "ln", "log" -> {
                if (x != null && x.equals(Fraction.ONE)) return constant(Fraction.ZERO);
                if (args.size() == 2) {
                    Fraction b = args.get(1).constantValue();
                    Integer k = x == null || b == null ? null : integerLog(x, b);
                    if (k != null) return constant(Fraction.of(k));
                } else if (f.name().equals("ln")
                        && args.get(0).num().equals(Polynomial.atom("c:e"))
                        && args.get(0).den().constantValue() != null) {
                    return constant(Fraction.ONE);
                }
            }
            default -> {}
        }
        return opaque(f.name(), args);
    }

    /** k with b^k = x, for |k| ≤ 64; or null. */
    private static Integer integerLog(Fraction x, Fraction b) {
        if (x.signum() <= 0 || b.signum() <= 0 || b.equals(Fraction.ONE)) return null;
        double guess = Math.log(x.doubleValue()) / Math.log(b.doubleValue());
        if (!Double.isFinite(guess) || Math.abs(guess) > 64) return null;
        int k = (int) Math.round(guess);
        return b.pow(k).equals(x) ? k : null;
    }

    private static Form constant(Fraction c) {
        return Form.of(Polynomial.constant(c));
    }

    private static Form opaque(String name, List<Form> args) {
        StringBuilder key = new StringBuilder("o:").append(name).append('(');
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) key.append(',');
            key.append(args.get(i));
        }
        return Form.of(Polynomial.atom(key.append(')').toString()));
    }

    private static int[] primesBelow(int n) {
        boolean[] composite = new boolean[n];
        List<Integer> primes = new ArrayList<>();
        for (int i = 2; i < n; i++) {
            if (composite[i]) continue;
            primes.add(i);
            for (int j = i * i; j < n; j += i) composite[j] = true;
        }
        return primes.stream().mapToInt(Integer::intValue).toArray();
    }
}
