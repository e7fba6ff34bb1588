package dev.alpharl.rewards.math;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sum of terms {@code coefficient · Π atom^exponent} with exact rational coefficients and exponents, kept in a
 * normal form so that two equal polynomials have equal term maps:
 * <ul>
 *   <li>atoms are variables ({@code s:x}), π ({@code c:pi}), e ({@code c:e}), the imaginary unit ({@code c:i},
 *       exponent 0 or 1: i² = −1), radicals of primes ({@code p:2} with an exponent in (0, 1): √8 = 2·2^(1/2)),
 *       radicals of large unfactored numbers ({@code r:N}) and opaque terms such as {@code o:sin(x)};</li>
 *   <li>an integer part of a radical's exponent moves into the coefficient, zero exponents and zero terms go.</li>
 * </ul>
 * Products of prime radicals with exponents in (0, 1), times powers of independent symbols, are linearly
 * independent over the rationals, so the normal form decides equality when only such atoms occur
 * ({@link #isReliable}); with {@code r:} or {@code o:} atoms an unequal form proves nothing. Sizes are bounded:
 * an operation that would exceed {@link #MAX_TERMS} terms throws {@link TooComplexException}.
 */
final class Polynomial {
    static final int MAX_TERMS = 200;
    private static final int MAX_EXPONENT = 1000;

    /** The expression is too large, or uses something the normal form cannot represent. */
    static final class TooComplexException extends ArithmeticException {
        TooComplexException(String message) {
            super(message);
        }
    }

    /** A product of atoms with non-zero rational exponents, atoms sorted by name. */
    static final class Monomial implements Comparable<Monomial> {
        static final Monomial ONE = new Monomial(new String[0], new Fraction[0]);

        final String[] atoms;
        final Fraction[] exponents;
        private final int hash;

        Monomial(String[] atoms, Fraction[] exponents) {
            this.atoms = atoms;
            this.exponents = exponents;
            this.hash = 31 * Arrays.hashCode(atoms) + Arrays.hashCode(exponents);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Monomial m
                    && m.hash == hash
                    && Arrays.equals(m.atoms, atoms)
                    && Arrays.equals(m.exponents, exponents);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public int compareTo(Monomial o) {
            return toString().compareTo(o.toString());
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < atoms.length; i++) {
                if (i > 0) b.append('*');
                b.append(atoms[i]);
                if (!exponents[i].equals(Fraction.ONE))
                    b.append("^(").append(exponents[i]).append(')');
            }
            return b.toString();
        }
    }

    /** A coefficient times a monomial. */
    record Term(Fraction coefficient, Monomial monomial) {}

    final Map<Monomial, Fraction> terms;

    private Polynomial(Map<Monomial, Fraction> terms) {
        this.terms = terms;
    }

    static final Polynomial ZERO = new Polynomial(Map.of());

    static Polynomial constant(Fraction c) {
        return c.signum() == 0 ? ZERO : new Polynomial(Map.of(Monomial.ONE, c));
    }

    static Polynomial atom(String name) {
        Term t = reduce(Fraction.ONE, new String[] {name}, new Fraction[] {Fraction.ONE});
        return of(t);
    }

    static Polynomial of(Term t) {
        if (t.coefficient().signum() == 0) return ZERO;
        return new Polynomial(Map.of(t.monomial(), t.coefficient()));
    }

    boolean isZero() {
        return terms.isEmpty();
    }

    /** The rational value when there are no atoms, else null. */
    Fraction constantValue() {
        if (terms.isEmpty()) return Fraction.ZERO;
        if (terms.size() == 1 && terms.containsKey(Monomial.ONE)) return terms.get(Monomial.ONE);
        return null;
    }

    Term singleTerm() {
        if (terms.size() != 1) return null;
        Map.Entry<Monomial, Fraction> e = terms.entrySet().iterator().next();
        return new Term(e.getValue(), e.getKey());
    }

    Polynomial add(Polynomial o) {
        if (o.isZero()) return this;
        if (isZero()) return o;
        Map<Monomial, Fraction> out = new HashMap<>(terms);
        for (Map.Entry<Monomial, Fraction> e : o.terms.entrySet()) {
            Fraction sum = out.getOrDefault(e.getKey(), Fraction.ZERO).add(e.getValue());
            if (sum.signum() == 0) out.remove(e.getKey());
            else out.put(e.getKey(), sum);
        }
        if (out.size() > MAX_TERMS) throw new TooComplexException("more than " + MAX_TERMS + " terms");
        return new Polynomial(out);
    }

    Polynomial scale(Fraction c) {
        if (c.signum() == 0) return ZERO;
        Map<Monomial, Fraction> out = new HashMap<>();
        terms.forEach((m, k) -> out.put(m, k.multiply(c)));
        return new Polynomial(out);
    }

    Polynomial negate() {
        return scale(Fraction.ONE.negate());
    }

    Polynomial multiply(Polynomial o) {
        if (isZero() || o.isZero()) return ZERO;
        if ((long) terms.size() * o.terms.size() > (long) MAX_TERMS * MAX_TERMS / 4)
            throw new TooComplexException("product too large");
        Map<Monomial, Fraction> out = new HashMap<>();
        for (Map.Entry<Monomial, Fraction> a : terms.entrySet()) {
            for (Map.Entry<Monomial, Fraction> b : o.terms.entrySet()) {
                Term t = times(a.getKey(), b.getKey());
                Fraction c = a.getValue().multiply(b.getValue()).multiply(t.coefficient());
                Fraction sum = out.getOrDefault(t.monomial(), Fraction.ZERO).add(c);
                if (sum.signum() == 0) out.remove(t.monomial());
                else out.put(t.monomial(), sum);
            }
        }
        if (out.size() > MAX_TERMS) throw new TooComplexException("more than " + MAX_TERMS + " terms");
        return new Polynomial(out);
    }

    Polynomial pow(int n) {
        if (n < 0) throw new IllegalArgumentException("negative power of a polynomial");
        Polynomial result = constant(Fraction.ONE), base = this;
        while (n > 0) {
            if ((n & 1) == 1) result = result.multiply(base);
            n >>= 1;
            if (n > 0) base = base.multiply(base);
        }
        return result;
    }

    /** True when every atom is a variable, π, e, i or a prime radical (the normal form then decides equality). */
    boolean isReliable() {
        for (Monomial m : terms.keySet()) {
            for (String a : m.atoms) if (a.startsWith("r:") || a.startsWith("o:")) return false;
        }
        return true;
    }

    /** This = c · other for a non-zero rational c: returns c, or null when not proportional. */
    Fraction ratioTo(Polynomial other) {
        if (isZero() || other.isZero() || terms.size() != other.terms.size()) return null;
        Map.Entry<Monomial, Fraction> any = other.terms.entrySet().iterator().next();
        Fraction mine = terms.get(any.getKey());
        if (mine == null) return null;
        Fraction c = mine.divide(any.getValue());
        return other.scale(c).equals(this) ? c : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Polynomial p && p.terms.equals(terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    /** A canonical text (terms sorted), used as the key of opaque atoms built from this polynomial. */
    @Override
    public String toString() {
        if (terms.isEmpty()) return "0";
        List<String> parts = new ArrayList<>();
        terms.forEach((m, c) -> parts.add(m.atoms.length == 0 ? c.toString() : c + "*" + m));
        parts.sort(null);
        return String.join(" + ", parts);
    }

    // ---- monomial arithmetic ------------------------------------------------------------------------------------

    static Term times(Monomial a, Monomial b) {
        if (a.atoms.length == 0) return new Term(Fraction.ONE, b);
        if (b.atoms.length == 0) return new Term(Fraction.ONE, a);
        String[] atoms = new String[a.atoms.length + b.atoms.length];
        Fraction[] exps = new Fraction[atoms.length];
        int i = 0, j = 0, k = 0;
        while (i < a.atoms.length || j < b.atoms.length) {
            int cmp = i >= a.atoms.length ? 1 : j >= b.atoms.length ? -1 : a.atoms[i].compareTo(b.atoms[j]);
            if (cmp < 0) {
                atoms[k] = a.atoms[i];
                exps[k++] = a.exponents[i++];
            } else if (cmp > 0) {
                atoms[k] = b.atoms[j];
                exps[k++] = b.exponents[j++];
            } else {
                atoms[k] = a.atoms[i];
                exps[k++] = a.exponents[i++].add(b.exponents[j++]);
            }
        }
        return reduce(Fraction.ONE, Arrays.copyOf(atoms, k), Arrays.copyOf(exps, k));
    }

    /** Every exponent multiplied by r. */
    static Term power(Monomial m, Fraction r) {
        Fraction[] exps = new Fraction[m.exponents.length];
        for (int i = 0; i < exps.length; i++) exps[i] = m.exponents[i].multiply(r);
        return reduce(Fraction.ONE, m.atoms.clone(), exps);
    }

    /**
     * Normal form of {@code coefficient · Π atoms^exps} (atoms sorted, no duplicates): zero exponents dropped,
     * integer parts of radical exponents moved into the coefficient, i^k reduced.
     */
    static Term reduce(Fraction coefficient, String[] atoms, Fraction[] exps) {
        List<String> keptAtoms = new ArrayList<>(atoms.length);
        List<Fraction> keptExps = new ArrayList<>(atoms.length);
        for (int i = 0; i < atoms.length; i++) {
            String a = atoms[i];
            Fraction e = exps[i];
            if (e.signum() == 0) continue;
            if (e.numerator().bitLength() > 20
                    || e.denominator().bitLength() > 20
                    || e.abs().compareTo(Fraction.of(MAX_EXPONENT)) > 0)
                throw new TooComplexException("exponent too large: " + e);
            if (a.startsWith("p:") || a.startsWith("r:")) {
                BigInteger whole = floor(e);
                Fraction rest = e.subtract(Fraction.of(whole, BigInteger.ONE));
                if (whole.signum() != 0)
                    coefficient = coefficient.multiply(Fraction.of(new BigInteger(a.substring(2)), BigInteger.ONE)
                            .pow(whole.intValueExact()));
                if (rest.signum() == 0) continue;
                e = rest;
            } else if (a.equals("c:i")) {
                if (!e.isInteger()) throw new TooComplexException("non-integer power of i");
                int k = e.numerator().mod(BigInteger.valueOf(4)).intValue();
                if (k >= 2) coefficient = coefficient.negate();
                if (k % 2 == 0) continue;
                e = Fraction.ONE;
            }
            keptAtoms.add(a);
            keptExps.add(e);
        }
        return new Term(
                coefficient,
                keptAtoms.isEmpty()
                        ? Monomial.ONE
                        : new Monomial(keptAtoms.toArray(new String[0]), keptExps.toArray(new Fraction[0])));
    }

    private static BigInteger floor(Fraction f) {
        BigInteger[] qr = f.numerator().divideAndRemainder(f.denominator());
        return f.signum() < 0 && qr[1].signum() != 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }
}
