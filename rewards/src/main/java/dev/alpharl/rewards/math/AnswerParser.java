package dev.alpharl.rewards.math;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the structure of a normalised answer ({@link AnswerNormalizer}) into an {@link Answer}: a comma list of
 * solutions, a union ({@code \cup}), a matrix environment, a braced set, a tuple or interval between brackets, a
 * "±" pair, and otherwise one scalar or relation ({@link ExpressionParser}). What does not parse is
 * {@link Answer.Text}.
 */
public final class AnswerParser {
    private AnswerParser() {}

    private static final int MAX_NESTING = 8;
    private static final int MAX_ITEMS = 64;
    private static final Pattern MATRIX =
            Pattern.compile("^\\\\begin\\{([pbvBV]?matrix|array)}(?:\\{[lcr|]*})?(.*)\\\\end\\{\\1}$", Pattern.DOTALL);
    private static final Expr INFINITY = new Expr.Constant(Expr.ConstantKind.INFINITY);

    /** Normalises then parses a raw answer. */
    public static Answer parseRaw(String raw) {
        return parse(AnswerNormalizer.normalize(raw));
    }

    /** Parses an answer already passed through {@link AnswerNormalizer#normalize}. */
    public static Answer parse(String normalized) {
        return parse(normalized.strip(), 0);
    }

    private static Answer parse(String s, int nesting) {
        if (s.isEmpty() || nesting > MAX_NESTING || s.length() > ExpressionParser.MAX_LENGTH) return new Answer.Text(s);
        Matcher matrix = MATRIX.matcher(s);
        if (matrix.matches()) return matrix(matrix.group(2), nesting);
        List<String> items = splitTopLevel(s, ",;");
        if (items.size() > MAX_ITEMS) return new Answer.Text(s);
        if (items.size() >= 2) return new Answer.ListOf(parseAll(items, nesting));
        return item(s, nesting);
    }

    private static Answer item(String s, int nesting) {
        s = s.strip();
        if (s.isEmpty()) return new Answer.Text(s);
        List<String> union = splitTopLevel(s, "\\cup");
        if (union.size() >= 2) return new Answer.Union(parseAll(union, nesting));
        if (s.equals("\\emptyset") || s.equals("\\varnothing") || s.equals("\\{\\}") || s.equals("\\{ \\}"))
            return new Answer.SetOf(List.of());
        if (s.equals("\\mathbb{R}") || s.equals("\\mathbb R"))
            return new Answer.Bracketed(
                    '(',
                    ')',
                    List.of(new Answer.Scalar(Expr.negate(INFINITY), false), new Answer.Scalar(INFINITY, false)));
        if (s.startsWith("\\{") && s.endsWith("\\}") && closesAtEnd(s)) {
            return new Answer.SetOf(parseAll(splitTopLevel(s.substring(2, s.length() - 2), ",;"), nesting));
        }
        if (s.startsWith("\\langle") && s.endsWith("\\rangle")) {
            String inner = s.substring("\\langle".length(), s.length() - "\\rangle".length());
            return new Answer.Bracketed('<', '>', parseAll(splitTopLevel(inner, ","), nesting));
        }
        char first = s.charAt(0), last = s.charAt(s.length() - 1);
        if ((first == '(' || first == '[') && (last == ')' || last == ']') && closesAtEnd(s)) {
            List<String> inner = splitTopLevel(s.substring(1, s.length() - 1), ",");
            if (inner.size() >= 2 && inner.size() <= MAX_ITEMS)
                return new Answer.Bracketed(first, last, parseAll(inner, nesting));
        }
        int pm = s.indexOf("\\pm");
        if (pm >= 0 && s.indexOf("\\pm", pm + 1) < 0 && !s.contains("\\mp")) {
            // "1 \pm \sqrt2" is two answers
            Answer plus = scalar(s.substring(0, pm) + "+" + s.substring(pm + 3));
            Answer minus = scalar(s.substring(0, pm) + "-" + s.substring(pm + 3));
            if (!(plus instanceof Answer.Text) && !(minus instanceof Answer.Text))
                return new Answer.ListOf(List.of(plus, minus));
        }
        return scalar(s);
    }

    private static Answer scalar(String s) {
        try {
            return ExpressionParser.parse(s);
        } catch (ExpressionParser.ParseException e) {
            return new Answer.Text(s);
        }
    }

    private static Answer matrix(String body, int nesting) {
        List<String> rows = splitTopLevel(body.strip(), "\\\\");
        if (!rows.isEmpty() && rows.get(rows.size() - 1).isBlank()) rows.remove(rows.size() - 1);
        List<Answer> cells = new ArrayList<>();
        int cols = -1;
        for (String row : rows) {
            List<String> rowCells = splitTopLevel(row, "&");
            if (cols >= 0 && rowCells.size() != cols) return new Answer.Text("\\begin{matrix}" + body);
            cols = rowCells.size();
            for (String c : rowCells) cells.add(parse(c.strip(), nesting + 1));
            if (cells.size() > MAX_ITEMS * 4) return new Answer.Text("\\begin{matrix}" + body);
        }
        if (cols <= 0) return new Answer.Text("\\begin{matrix}" + body);
        return new Answer.Matrix(rows.size(), cols, cells);
    }

    private static List<Answer> parseAll(List<String> parts, int nesting) {
        List<Answer> out = new ArrayList<>(parts.size());
        for (String part : parts) out.add(parse(part.strip(), nesting + 1));
        return out;
    }

    /** True when the bracket opened at index 0 is closed by the last character (not earlier). */
    static boolean closesAtEnd(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = bracketDelta(s, i);
            if (d != 0 && s.charAt(i) == '\\') i++;
            depth += d;
            if (depth <= 0 && i < s.length() - 1) return false;
        }
        return depth == 0;
    }

    /**
     * Splits at any of the single-character separators in {@code separators} (or at the whole string
     * {@code separators} when it is longer and starts with a backslash) outside every (), [], {} and \{\}.
     */
    static List<String> splitTopLevel(String s, String separators) {
        boolean command = separators.startsWith("\\");
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (depth == 0 && command && s.startsWith(separators, i)) {
                int end = i + separators.length();
                boolean wholeName = end >= s.length()
                        || !Character.isLetter(s.charAt(end))
                        || !Character.isLetter(separators.charAt(separators.length() - 1));
                if (wholeName) {
                    parts.add(s.substring(start, i));
                    i = end - 1;
                    start = end;
                    continue;
                }
            }
            int d = bracketDelta(s, i);
            if (d != 0) {
                depth += d;
                if (s.charAt(i) == '\\') i++;
                continue;
            }
            if (s.charAt(i) == '\\' && i + 1 < s.length() && !command) {
                i++; // an escaped character ("\," "\;") is never a separator
                continue;
            }
            if (depth == 0 && !command && separators.indexOf(s.charAt(i)) >= 0) {
                parts.add(s.substring(start, i));
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
}
