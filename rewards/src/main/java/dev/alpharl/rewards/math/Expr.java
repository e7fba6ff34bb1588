package dev.alpharl.rewards.math;

import java.util.List;

/**
 * A parsed scalar expression, as written (nothing is simplified here; {@link Simplifier} and
 * {@link NumericEvaluator} give it meaning). Subtraction is a {@link Sum} with a {@code -1} factor, division a
 * {@link Power} with exponent {@code -1}, a square root a {@link Power} with exponent {@code 1/2}.
 */
public sealed interface Expr {

    /**
     * A number literal. {@code decimal} is true when it was written with a decimal point or an exponent (1.5,
     * .4, 2e3): such a number may be a rounded value, and {@code decimals} counts its digits after the point.
     */
    record Number(Fraction value, boolean decimal, int decimals) implements Expr {
        public static Number integer(long n) {
            return new Number(Fraction.of(n), false, 0);
        }

        public static Number exact(Fraction f) {
            return new Number(f, false, 0);
        }
    }

    /** A variable: a letter, a Greek letter ({@code \alpha}), possibly with a subscript ({@code x_1}). */
    record Symbol(String name) implements Expr {}

    enum ConstantKind {
        PI,
        E,
        I,
        INFINITY
    }

    /** π, Euler's e, the imaginary unit i, or ∞. */
    record Constant(ConstantKind kind) implements Expr {}

    record Sum(List<Expr> terms) implements Expr {
        public Sum {
            terms = List.copyOf(terms);
        }
    }

    record Product(List<Expr> factors) implements Expr {
        public Product {
            factors = List.copyOf(factors);
        }
    }

    record Power(Expr base, Expr exponent) implements Expr {}

    /**
     * A named function: sin, cos, tan, sec, csc, cot, arcsin, arccos, arctan, sinh, cosh, tanh, ln, log (one
     * argument: natural; two: the second is the base), abs, floor, ceil, factorial, binom.
     */
    record Function(String name, List<Expr> args) implements Expr {
        public Function {
            args = List.copyOf(args);
        }
    }

    Number MINUS_ONE = Number.integer(-1);

    static Expr negate(Expr e) {
        if (e instanceof Number n) return new Number(n.value().negate(), n.decimal(), n.decimals());
        return new Product(List.of(MINUS_ONE, e));
    }

    static Expr reciprocal(Expr e) {
        return new Power(e, MINUS_ONE);
    }

    /** True when a decimal literal (a possibly rounded value) occurs anywhere in {@code e}. */
    static boolean containsDecimal(Expr e) {
        if (e instanceof Number n) return n.decimal();
        for (Expr child : children(e)) if (containsDecimal(child)) return true;
        return false;
    }

    /** True when ∞ occurs in {@code e}. */
    static boolean containsInfinity(Expr e) {
        if (e instanceof Constant c) return c.kind() == ConstantKind.INFINITY;
        for (Expr child : children(e)) if (containsInfinity(child)) return true;
        return false;
    }

    /** Adds the free variable names of {@code e} to {@code out}. */
    static void collectSymbols(Expr e, java.util.Set<String> out) {
        if (e instanceof Symbol s) out.add(s.name());
        for (Expr child : children(e)) collectSymbols(child, out);
    }

    /** The direct subexpressions of {@code e}. */
    static List<Expr> children(Expr e) {
        if (e instanceof Sum s) return s.terms();
        if (e instanceof Product p) return p.factors();
        if (e instanceof Power p) return List.of(p.base(), p.exponent());
        if (e instanceof Function f) return f.args();
        return List.of();
    }
}
