package dev.alpharl.rewards.math;

import java.util.Map;

/**
 * Evaluates an {@link Expr} in double precision, for the numeric comparisons: a closed value to round, or two
 * expressions with functions the {@link Simplifier} keeps opaque (sin² x + cos² x against 1) at sample points.
 * Undefined values (a variable without a value, i, a domain error) are NaN.
 */
final class NumericEvaluator {
    private NumericEvaluator() {}

    static double evaluate(Expr e, Map<String, Double> variables) {
        if (e instanceof Expr.Number n) return n.value().doubleValue();
        if (e instanceof Expr.Symbol s) return variables.getOrDefault(s.name(), Double.NaN);
        if (e instanceof Expr.Constant c) {
            return switch (c.kind()) {
                case PI -> Math.PI;
                case E -> Math.E;
                case INFINITY -> Double.POSITIVE_INFINITY;
                case I -> Double.NaN;
            };
        }
        if (e instanceof Expr.Sum s) {
            double sum = 0;
            for (Expr t : s.terms()) sum += evaluate(t, variables);
            return sum;
        }
        if (e instanceof Expr.Product p) {
            double product = 1;
            for (Expr f : p.factors()) product *= evaluate(f, variables);
            return product;
        }
        if (e instanceof Expr.Power p) return power(p, variables);
        if (e instanceof Expr.Function f) return function(f, variables);
        return Double.NaN;
    }

    private static double power(Expr.Power p, Map<String, Double> variables) {
        double base = evaluate(p.base(), variables);
        double exponent = evaluate(p.exponent(), variables);
        if (base < 0 && exponent != Math.rint(exponent)) {
            // a real odd root of a negative number: ∛−8 = −2
            Fraction r = rationalExponent(p.exponent());
            if (r != null && r.denominator().testBit(0))
                return (r.numerator().testBit(0) ? -1 : 1) * Math.pow(-base, exponent);
            return Double.NaN;
        }
        return Math.pow(base, exponent);
    }

    private static Fraction rationalExponent(Expr e) {
        try {
            return Simplifier.simplify(e).constantValue();
        } catch (ArithmeticException ex) {
            return null;
        }
    }

    private static double function(Expr.Function f, Map<String, Double> variables) {
        double x = evaluate(f.args().get(0), variables);
        return switch (f.name()) {
            case "sin" -> Math.sin(x);
            case "cos" -> Math.cos(x);
            case "tan" -> Math.tan(x);
            case "sec" -> 1 / Math.cos(x);
            case "csc" -> 1 / Math.sin(x);
            case "cot" -> 1 / Math.tan(x);
            case "arcsin" -> Math.asin(x);
            case "arccos" -> Math.acos(x);
            case "arctan" -> Math.atan(x);
            case "sinh" -> Math.sinh(x);
            case "cosh" -> Math.cosh(x);
            case "tanh" -> Math.tanh(x);
            case "ln" -> Math.log(x);
            case "log" ->
                f.args().size() == 2 ? Math.log(x) / Math.log(evaluate(f.args().get(1), variables)) : Math.log(x);
            case "abs" -> Math.abs(x);
            case "floor" -> Math.floor(x);
            case "ceil" -> Math.ceil(x);
            case "factorial" -> factorial(x);
            case "binom" -> {
                double k = evaluate(f.args().get(1), variables);
                yield factorial(x) / (factorial(k) * factorial(x - k));
            }
            default -> Double.NaN;
        };
    }

    private static double factorial(double x) {
        if (x != Math.rint(x) || x < 0 || x > 170) return Double.NaN;
        double p = 1;
        for (int i = 2; i <= (int) x; i++) p *= i;
        return p;
    }
}
