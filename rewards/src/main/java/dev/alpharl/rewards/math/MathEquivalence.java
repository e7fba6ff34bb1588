package dev.alpharl.rewards.math;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether a predicted answer equals the gold answer. The gold leads (the relation is not symmetric, as
 * in Math-Verify): "x = 3" is read as 3 when the gold is a value; an assignment gold "k = 1/3" is read as its
 * value when the prediction is one; an inequality gold matches the equivalent interval.
 *
 * <p>Scalars, in order: the same expression; <b>exact</b> equality of the {@link Simplifier}'s normal forms
 * (rational arithmetic, radicals, π, e, i, polynomials and rational functions in the variables); when a decimal
 * literal is involved and one side is a plain number, the <b>precision rule</b>: both values rounded to
 * {@code decimals} places (6, Math-Verify's default) must agree (values below one rounding step compare 6
 * significant digits instead, so 1e-7 is not 2e-7); when a form holds something the normal form cannot decide
 * (sin, ln, radicals of sums), a numeric comparison at sample points with a relative tolerance of 1e-9. Percent:
 * 28% equals 28 and 0.28 (but 0.5% is not 0.5). Structures: tuples and intervals item by item with the same
 * brackets, sets and lists in any order, unions in any order, matrices cell by cell; text ignoring case.
 *
 * <p>With a relative tolerance instead ({@link #relativeTolerance}, the gsm8k style's compatibility mode),
 * approximate closed values (decimals, radicals, π) agree when |a − b| ≤ tol · max(|a|, |b|).
 */
public final class MathEquivalence {
    /** Math-Verify's default float rounding: 6 decimal places. */
    public static final int DEFAULT_DECIMALS = 6;

    private static final double NUMERIC_TOLERANCE = 1e-9;
    private static final double[][] SAMPLE_POINTS = {
        {0.7381, 1.3127, 2.1739, 0.5413, 1.9061},
        {1.4163, 0.6529, 1.8847, 2.3291, 0.8837},
        {2.2719, 1.7083, 0.9451, 1.2267, 2.6113}
    };

    /** Places of the rounding rule; −1: the gold's own decimals. */
    private final int decimals;

    private final double relTol;

    private MathEquivalence(int decimals, double relTol) {
        this.decimals = decimals;
        this.relTol = relTol;
    }

    /** Math-Verify's precision rule with {@code decimals} places (see the class comment). */
    public static MathEquivalence rounding(int decimals) {
        if (decimals < 0 || decimals > 15)
            throw new IllegalArgumentException("decimals must be in [0, 15], got " + decimals);
        return new MathEquivalence(decimals, 0);
    }

    /**
     * Like {@link #rounding} but with the gold's own number of decimals when the gold is a decimal literal (gold
     * 33.3 accepts 100/3 and 33.34; gold 16386.17 accepts 16386.169): lenient, so not the default.
     */
    public static MathEquivalence roundingToGold() {
        return new MathEquivalence(-1, 0);
    }

    /** Approximate closed values agree within a relative tolerance (the reward's {@code rel-tol} option). */
    public static MathEquivalence relativeTolerance(double relTol) {
        if (!(relTol > 0 && relTol < 1))
            throw new IllegalArgumentException("relative tolerance must be in (0, 1), got " + relTol);
        return new MathEquivalence(-1, relTol);
    }

    /** Normalises and parses both raw answers, then compares. */
    public boolean equivalent(String predicted, String gold) {
        return equivalentNormalized(AnswerNormalizer.normalize(predicted), AnswerNormalizer.normalize(gold));
    }

    /** Compares two answers already passed through {@link AnswerNormalizer#normalize}. */
    public boolean equivalentNormalized(String predicted, String gold) {
        if (predicted.isEmpty() || gold.isEmpty()) return false;
        if (predicted.equals(gold)) return true;
        return matches(AnswerParser.parse(gold), AnswerParser.parse(predicted));
    }

    /** Comparisons of items allowed per {@link #matches} call: bounds lists of lists of lists. */
    static final int MAX_COMPARISONS = 2_000;

    private static final ThreadLocal<int[]> COMPARISONS = ThreadLocal.withInitial(() -> new int[1]);

    /** True when {@code predicted} is an acceptable answer for {@code gold}. */
    public boolean matches(Answer gold, Answer predicted) {
        COMPARISONS.get()[0] = 0;
        try {
            return same(gold, predicted);
        } catch (ArithmeticException | StackOverflowError e) {
            return false; // too large, too much work, or undefined somewhere: not provably equal
        }
    }

    // ---- structures -------------------------------------------------------------------------------------------

    private boolean same(Answer g, Answer p) {
        if (++COMPARISONS.get()[0] > MAX_COMPARISONS)
            throw new Polynomial.TooComplexException("more than " + MAX_COMPARISONS + " comparisons");
        g = single(g);
        p = single(p);
        if (p instanceof Answer.Relation pr) {
            if (g instanceof Answer.Relation gr) return sameRelation(gr, pr);
            if (!pr.isEquation()) return false; // an inequality never matches a value or an interval
            p = new Answer.Scalar(pr.last(), false); // "x = 2 + 3 = 5" against a value: its last side
        }
        if (g instanceof Answer.Relation gr) {
            if (gr.isAssignment()) {
                g = new Answer.Scalar(gr.last(), false);
            } else {
                Answer set = asInterval(gr);
                if (set == null || !(p instanceof Answer.Bracketed || p instanceof Answer.Union)) return false;
                g = set;
            }
        }
        if (g instanceof Answer.Scalar x && p instanceof Answer.Scalar y) return sameScalar(x, y);
        if (g instanceof Answer.Text x && p instanceof Answer.Text y) return sameText(x.text(), y.text());
        if (g instanceof Answer.Bracketed x && p instanceof Answer.Bracketed y)
            return x.open() == y.open() && x.close() == y.close() && sameInOrder(x.items(), y.items());
        if (g instanceof Answer.Bracketed x && p instanceof Answer.ListOf y)
            return x.open() == '(' && x.close() == ')' && sameInOrder(x.items(), y.items());
        if (g instanceof Answer.ListOf x && p instanceof Answer.Bracketed y)
            return y.open() == '(' && y.close() == ')' && sameInAnyOrder(x.items(), y.items());
        if (isUnordered(g) && isUnordered(p)) return sameInAnyOrder(items(g), items(p));
        if (g instanceof Answer.Union x && p instanceof Answer.Union y) return sameInAnyOrder(x.parts(), y.parts());
        if (g instanceof Answer.Matrix x && p instanceof Answer.Matrix y)
            return x.rows() == y.rows() && x.cols() == y.cols() && sameInOrder(x.cells(), y.cells());
        return false;
    }

    /** A one-item list or set is its item ({2} against 2). */
    private static Answer single(Answer a) {
        while (true) {
            if (a instanceof Answer.ListOf l && l.items().size() == 1)
                a = l.items().get(0);
            else if (a instanceof Answer.SetOf s && s.items().size() == 1)
                a = s.items().get(0);
            else return a;
        }
    }

    private static boolean isUnordered(Answer a) {
        return a instanceof Answer.ListOf || a instanceof Answer.SetOf;
    }

    private static List<Answer> items(Answer a) {
        return a instanceof Answer.ListOf l ? l.items() : ((Answer.SetOf) a).items();
    }

    private boolean sameInOrder(List<Answer> a, List<Answer> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!same(a.get(i), b.get(i))) return false;
        return true;
    }

    /** Multiset equality: every gold item matched by a distinct predicted item. */
    private boolean sameInAnyOrder(List<Answer> gold, List<Answer> predicted) {
        if (gold.size() != predicted.size()) return false;
        List<Answer> remaining = new ArrayList<>(predicted);
        outer:
        for (Answer g : gold) {
            for (int i = 0; i < remaining.size(); i++) {
                if (same(g, remaining.get(i))) {
                    remaining.remove(i);
                    continue outer;
                }
            }
            return false;
        }
        return true;
    }

    private static boolean sameText(String a, String b) {
        return a.replace(" ", "").equalsIgnoreCase(b.replace(" ", ""));
    }

    // ---- relations --------------------------------------------------------------------------------------------

    private boolean sameRelation(Answer.Relation g, Answer.Relation p) {
        if (g.isAssignment() && p.isAssignment()) {
            // "x = 1/3" against "x = 0.333333": the same variable, the same value
            return g.sides().get(0).equals(p.sides().get(0))
                    && sameScalar(new Answer.Scalar(g.last(), false), new Answer.Scalar(p.last(), false));
        }
        if (!g.ops().equals(p.ops())) return false;
        if (g.sides().size() == 2) {
            Answer.Rel op = g.ops().get(0);
            Expr dg = difference(g.sides().get(0), g.sides().get(1));
            Expr dp = difference(p.sides().get(0), p.sides().get(1));
            // a = b matches c·a = c·b for any c ≠ 0; a < b only for c > 0
            Simplifier.Form fg = Simplifier.simplify(dg), fp = Simplifier.simplify(dp);
            Fraction c = fg.num().multiply(fp.den()).ratioTo(fp.num().multiply(fg.den()));
            if (c != null) return op == Answer.Rel.EQ || op == Answer.Rel.NE || c.signum() > 0;
            return op == Answer.Rel.EQ && fg.num().isZero() && fp.num().isZero();
        }
        for (int i = 0; i < g.sides().size(); i++) {
            if (!sameScalar(
                    new Answer.Scalar(g.sides().get(i), false),
                    new Answer.Scalar(p.sides().get(i), false))) return false;
        }
        return true;
    }

    private static Expr difference(Expr a, Expr b) {
        return new Expr.Sum(List.of(a, Expr.negate(b)));
    }

    /** "x &lt; 3" → (−∞, 3); "1 ≤ x &lt; 2" → [1, 2); "x ≥ 5" (stored 5 ≤ x) → [5, ∞); else null. */
    private static Answer asInterval(Answer.Relation r) {
        List<Expr> s = r.sides();
        List<Answer.Rel> ops = r.ops();
        if (ops.contains(Answer.Rel.EQ) || ops.contains(Answer.Rel.NE)) return null;
        Expr inf = new Expr.Constant(Expr.ConstantKind.INFINITY);
        if (s.size() == 2) {
            boolean closed = ops.get(0) == Answer.Rel.LE;
            if (s.get(0) instanceof Expr.Symbol && !hasSymbols(s.get(1)))
                return interval('(', Expr.negate(inf), s.get(1), closed ? ']' : ')');
            if (s.get(1) instanceof Expr.Symbol && !hasSymbols(s.get(0)))
                return interval(closed ? '[' : '(', s.get(0), inf, ')');
            return null;
        }
        if (s.size() == 3 && s.get(1) instanceof Expr.Symbol && !hasSymbols(s.get(0)) && !hasSymbols(s.get(2))) {
            return interval(
                    ops.get(0) == Answer.Rel.LE ? '[' : '(',
                    s.get(0),
                    s.get(2),
                    ops.get(1) == Answer.Rel.LE ? ']' : ')');
        }
        return null;
    }

    private static Answer interval(char open, Expr lo, Expr hi, char close) {
        return new Answer.Bracketed(open, close, List.of(new Answer.Scalar(lo, false), new Answer.Scalar(hi, false)));
    }

    private static boolean hasSymbols(Expr e) {
        Set<String> names = new TreeSet<>();
        Expr.collectSymbols(e, names);
        return !names.isEmpty();
    }

    // ---- scalars ----------------------------------------------------------------------------------------------

    private boolean sameScalar(Answer.Scalar g, Answer.Scalar p) {
        if (g.percent() == p.percent()) return sameValue(g.value(), p.value());
        Expr pct = g.percent() ? g.value() : p.value(); // the side written with %
        Expr other = g.percent() ? p.value() : g.value();
        if (sameValue(other, hundredth(pct))) return true; // 28% = 0.28
        // 28% = 28 (the sign as decoration), unless the other side is a decimal below 1: 0.5% is not 0.5
        boolean smallDecimal =
                other instanceof Expr.Number n && n.decimal() && n.value().abs().compareTo(Fraction.ONE) < 0;
        return !smallDecimal && sameValue(other, pct);
    }

    private static Expr hundredth(Expr e) {
        Fraction hundred = Fraction.of(100);
        if (e instanceof Expr.Number n)
            return new Expr.Number(n.value().divide(hundred), n.decimal(), n.decimals() + 2);
        return new Expr.Product(List.of(e, Expr.reciprocal(Expr.Number.integer(100))));
    }

    private boolean sameValue(Expr g, Expr p) {
        if (g.equals(p)) return true;
        if (Expr.containsInfinity(g) || Expr.containsInfinity(p)) {
            double a = NumericEvaluator.evaluate(g, Map.of()), b = NumericEvaluator.evaluate(p, Map.of());
            return Double.isInfinite(a) && a == b;
        }
        Simplifier.Form fg = form(g), fp = form(p);
        if (fg != null && fp != null && fg.sameAs(fp)) return true;
        boolean decimal = Expr.containsDecimal(g) || Expr.containsDecimal(p);
        boolean closed = !hasSymbols(g) && !hasSymbols(p);
        if (closed && relTol > 0) {
            boolean exact = fg != null && fp != null && fg.constantValue() != null && fp.constantValue() != null;
            if (decimal || !exact) return withinRelativeTolerance(g, p);
            return false;
        }
        if (closed && decimal) {
            if (!(g instanceof Expr.Number) && !(p instanceof Expr.Number)) return numericallyEqual(g, p);
            BigDecimal vg = value(g, fg), vp = value(p, fp);
            if (vg == null || vp == null) return false;
            int places = decimals >= 0 ? decimals : goldDecimals(g);
            if (vg.abs().compareTo(BigDecimal.ONE.movePointLeft(places)) < 0) {
                // below the rounding step every small value would agree (1e-7 and 2e-7 both round to 0.000000):
                // compare 6 significant digits instead
                MathContext six = new MathContext(DEFAULT_DECIMALS, RoundingMode.HALF_EVEN);
                return vg.round(six).compareTo(vp.round(six)) == 0;
            }
            return round(vg, places).compareTo(round(vp, places)) == 0;
        }
        if (fg != null && fp != null && fg.isReliable() && fp.isReliable()) return false;
        return numericallyEqual(g, p);
    }

    /** The gold's own number of decimals when it is a decimal literal, else the default 6. */
    private static int goldDecimals(Expr g) {
        return g instanceof Expr.Number n && n.decimal() ? Math.min(n.decimals(), 15) : DEFAULT_DECIMALS;
    }

    private static Simplifier.Form form(Expr e) {
        try {
            return Simplifier.simplify(e);
        } catch (ArithmeticException ex) {
            return null;
        }
    }

    /** The exact value when the form is rational, else the double value; null when undefined. */
    private static BigDecimal value(Expr e, Simplifier.Form f) {
        Fraction exact = f == null ? null : f.constantValue();
        if (exact != null)
            return new BigDecimal(exact.numerator())
                    .divide(new BigDecimal(exact.denominator()), new MathContext(40, RoundingMode.HALF_EVEN));
        double v = NumericEvaluator.evaluate(e, Map.of());
        return Double.isFinite(v) ? new BigDecimal(v) : null;
    }

    private static BigDecimal round(BigDecimal v, int places) {
        return v.setScale(places, RoundingMode.HALF_EVEN);
    }

    private boolean withinRelativeTolerance(Expr g, Expr p) {
        double a = NumericEvaluator.evaluate(g, Map.of()), b = NumericEvaluator.evaluate(p, Map.of());
        if (!Double.isFinite(a) || !Double.isFinite(b)) return false;
        return Math.abs(a - b) <= relTol * Math.max(Math.abs(a), Math.abs(b));
    }

    /**
     * Agreement to 1e-9 (relative) at three points for the variables of either side (sin² x + cos² x against 1),
     * at one point when there are none.
     */
    private static boolean numericallyEqual(Expr g, Expr p) {
        Set<String> vg = new TreeSet<>();
        Expr.collectSymbols(g, vg);
        Expr.collectSymbols(p, vg);
        if (vg.size() > SAMPLE_POINTS[0].length) return false;
        int points = vg.isEmpty() ? 1 : SAMPLE_POINTS.length;
        int defined = 0;
        for (int k = 0; k < points; k++) {
            Map<String, Double> at = new HashMap<>();
            int j = 0;
            for (String name : vg) at.put(name, SAMPLE_POINTS[k][j++]);
            double a = NumericEvaluator.evaluate(g, at), b = NumericEvaluator.evaluate(p, at);
            if (Double.isNaN(a) && Double.isNaN(b)) continue;
            if (!Double.isFinite(a) || !Double.isFinite(b)) return false;
            if (Math.abs(a - b) > NUMERIC_TOLERANCE * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)))) return false;
            defined++;
        }
        return defined == points || (points > 1 && defined >= 2);
    }
}
