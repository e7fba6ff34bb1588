package dev.alpharl.rewards.math;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a predicted answer equals a gold answer (ALGORITHMS.md §9, step 3), after
 * {@link AnswerNormalizer}: equal strings; else both parsed as numbers/expressions (exact rational arithmetic,
 * a relative tolerance when a decimal or irrational is involved), tuples and intervals (same brackets, same items
 * in order), sets and bare comma lists (same items in any order), unions of intervals and matrices. Expressions
 * with letters are compared by evaluating both at the same fixed rational points. Unparseable answers are compared
 * as case-insensitive strings.
 */
public final class MathEquivalence {
    private static final int MAX_NESTING = 8;
    private static final int POINTS = 3;
    private static final Pattern MATRIX = Pattern.compile("^\\\\begin\\{[pbvB]?matrix}(.*)\\\\end\\{[pbvB]?matrix}$");

    /** Three or more letters in a row that are not a macro name: a word. */
    private static final Pattern WORD = Pattern.compile("(?<![\\\\a-zA-Z])[a-zA-Z]{3,}");

    private final double relTol;

    /** @param relTol relative tolerance used whenever either side is approximate (decimal literal, root, pi). */
    public MathEquivalence(double relTol) {
        if (!(relTol >= 0 && relTol < 1))
            throw new IllegalArgumentException("relative tolerance must be in [0, 1), got " + relTol);
        this.relTol = relTol;
    }

    /** Compares two raw answers (normalising both). */
    public boolean equivalent(String predicted, String gold) {
        return equivalentNormalized(AnswerNormalizer.normalize(predicted), AnswerNormalizer.normalize(gold));
    }

    /** Compares two answers already passed through {@link AnswerNormalizer#normalize}. */
    public boolean equivalentNormalized(String predicted, String gold) {
        if (predicted.isEmpty() || gold.isEmpty()) return false;
        if (predicted.equals(gold)) return true;
        Answer p = parse(predicted, 0), g = parse(gold, 0);
        if (p instanceof Text || g instanceof Text) return predicted.equalsIgnoreCase(gold);
        return same(p, g);
    }

    // ---- structure ------------------------------------------------------------------------------------------

    private sealed interface Answer permits Scalar, Bracketed, Group, Union, Text {}

    /** One expression. */
    private record Scalar(Expression.Parsed value) implements Answer {}

    /** A tuple, interval, point or matrix: brackets matter, order matters. */
    private record Bracketed(char open, char close, List<Answer> items) implements Answer {}

    /** A set or a bare comma list of solutions: order does not matter. */
    private record Group(List<Answer> items) implements Answer {}

    private record Union(List<Answer> parts) implements Answer {}

    private record Text(String text) implements Answer {}

    private static Answer parse(String s, int nesting) {
        if (nesting > MAX_NESTING || s.isEmpty()) return new Text(s);
        List<String> unionParts = splitTopLevel(s, "\\cup");
        if (unionParts.size() > 1) return new Union(parseAll(unionParts, nesting));
        Matcher matrix = MATRIX.matcher(s);
        if (matrix.matches()) {
            List<String> cells = new ArrayList<>();
            for (String row : splitTopLevel(matrix.group(1), "\\\\")) cells.addAll(splitTopLevel(row, "&"));
            return new Bracketed('M', 'M', parseAll(cells, nesting));
        }
        if (s.startsWith("\\{") && s.endsWith("\\}") && closesAtEnd(s)) {
            return new Group(parseAll(splitTopLevel(s.substring(2, s.length() - 2), ","), nesting));
        }
        char first = s.charAt(0), last = s.charAt(s.length() - 1);
        if ((first == '(' || first == '[') && (last == ')' || last == ']') && closesAtEnd(s)) {
            List<String> items = splitTopLevel(s.substring(1, s.length() - 1), ",");
            if (items.size() >= 2) return new Bracketed(first, last, parseAll(items, nesting));
        }
        List<String> items = splitTopLevel(s, ",");
        if (items.size() >= 2) return new Group(parseAll(items, nesting));
        if (WORD.matcher(s).find()) return new Text(s); // "Monday", "even": words, not a product of letters
        try {
            return new Scalar(ExpressionParser.parse(AnswerNormalizer.stripLhs(s)));
        } catch (ExpressionParser.ParseException e) {
            return new Text(s);
        }
    }

    private static List<Answer> parseAll(List<String> parts, int nesting) {
        List<Answer> out = new ArrayList<>(parts.size());
        for (String part : parts) out.add(parse(AnswerNormalizer.stripLhs(part), nesting + 1));
        return out;
    }

    /** True when the bracket opened at index 0 is closed by the last character (not earlier). */
    private static boolean closesAtEnd(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = bracketDelta(s, i);
            if (d != 0 && s.charAt(i) == '\\') i++;
            depth += d;
            if (depth == 0 && i < s.length() - 1) return false;
        }
        return depth == 0;
    }

    /** Splits at separators that are outside every (), [], {} and \{\}. */
    private static List<String> splitTopLevel(String s, String separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = bracketDelta(s, i);
            if (d != 0) {
                depth += d;
                if (s.charAt(i) == '\\') i++;
                continue;
            }
            if (depth == 0 && s.startsWith(separator, i)) {
                parts.add(s.substring(start, i));
                i += separator.length() - 1;
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static int bracketDelta(String s, int i) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < s.length()) {
            char n = s.charAt(i + 1);
            return n == '{' ? 1 : n == '}' ? -1 : 0;
        }
        return c == '(' || c == '[' || c == '{' ? 1 : c == ')' || c == ']' || c == '}' ? -1 : 0;
    }

    // ---- comparison ------------------------------------------------------------------------------------------

    private boolean same(Answer a, Answer b) {
        if (a instanceof Group g && g.items().size() == 1) return same(g.items().get(0), b);
        if (b instanceof Group g && g.items().size() == 1)
            return same(a, g.items().get(0));
        if (a instanceof Scalar x && b instanceof Scalar y) return sameScalar(x.value(), y.value());
        if (a instanceof Bracketed x && b instanceof Bracketed y) {
            return x.open() == y.open() && x.close() == y.close() && sameInOrder(x.items(), y.items());
        }
        if (a instanceof Group x && b instanceof Group y) return sameInAnyOrder(x.items(), y.items());
        if (a instanceof Union x && b instanceof Union y) return sameInAnyOrder(x.parts(), y.parts());
        return false;
    }

    private boolean sameInOrder(List<Answer> a, List<Answer> b) {
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) if (!same(a.get(i), b.get(i))) return false;
        return true;
    }

    /** Multiset equality under {@link #same} (an equivalence, so greedy matching suffices). */
    private boolean sameInAnyOrder(List<Answer> a, List<Answer> b) {
        if (a.size() != b.size()) return false;
        List<Answer> remaining = new ArrayList<>(b);
        outer:
        for (Answer x : a) {
            for (int i = 0; i < remaining.size(); i++) {
                if (same(x, remaining.get(i))) {
                    remaining.remove(i);
                    continue outer;
                }
            }
            return false;
        }
        return true;
    }

    /**
     * Closed expressions: one evaluation each. With letters: both must use the same letters, and agree at
     * {@value #POINTS} fixed rational points (a polynomial identity test; exact for rational functions).
     */
    private boolean sameScalar(Expression.Parsed a, Expression.Parsed b) {
        if (!a.variables().equals(b.variables())) return false;
        Set<String> names = new TreeSet<>(a.variables());
        int points = names.isEmpty() ? 1 : POINTS;
        for (int k = 0; k < points; k++) {
            Map<String, Num> at = new HashMap<>();
            int j = 0;
            for (String name : names) {
                at.put(
                        name,
                        Num.exact(Fraction.of(
                                java.math.BigInteger.valueOf(3 + 2L * j + 7L * k),
                                java.math.BigInteger.valueOf(k + 2))));
                j++;
            }
            Num x, y;
            try {
                x = a.expression().eval(at);
                y = b.expression().eval(at);
            } catch (ArithmeticException e) {
                return false; // undefined or too large: not provably equal
            }
            if (!x.sameAs(y, relTol)) return false;
        }
        return true;
    }
}
