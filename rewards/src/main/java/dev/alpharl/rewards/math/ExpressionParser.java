package dev.alpharl.rewards.math;

import java.util.Map;
import java.util.TreeSet;

/**
 * Recursive-descent parser for the scalar LaTeX/plain arithmetic found in math answers, after
 * {@link AnswerNormalizer} has removed spaces and decorations:
 * <pre>
 * expr    := unary (('+' | '-') unary-term)*
 * term    := unary (('*' | '/' | \cdot | \times | \div) unary | implicit-product unary)*
 * unary   := ('-' | '+') unary | power
 * power   := primary ('^' ('-' unary | power))?     (right-associative: 2^3^2 = 2^9)
 * primary := number | '(' expr ')' | '{' expr '}' | \frac A B | \sqrt[n]? A | \pi | \infty | letter
 * A, B    := '{' expr '}' | a single digit or letter (so \frac12 = 1/2, \sqrt2 = √2)
 * </pre>
 * An integer immediately followed by a \frac of integers is a mixed number (2\frac{1}{2} = 5/2).
 * Anything else (functions, relations, text) is a {@link ParseException}; the caller then compares strings.
 */
public final class ExpressionParser {

    /** The input is not an arithmetic expression this parser understands. */
    public static final class ParseException extends Exception {
        public ParseException(String message) {
            super(message);
        }
    }

    private static final int MAX_LENGTH = 500;
    private static final int MAX_DEPTH = 100;

    private final String s;
    private int pos;
    private int depth;
    private final TreeSet<String> variables = new TreeSet<>();

    private ExpressionParser(String s) {
        this.s = s;
    }

    public static Expression.Parsed parse(String input) throws ParseException {
        if (input.isEmpty()) throw new ParseException("empty expression");
        if (input.length() > MAX_LENGTH)
            throw new ParseException("expression longer than " + MAX_LENGTH + " characters");
        ExpressionParser p = new ExpressionParser(input);
        Expression e = p.expr();
        if (p.pos != input.length())
            throw new ParseException("unexpected '" + input.substring(p.pos) + "' in '" + input + "'");
        return new Expression.Parsed(e, p.variables);
    }

    private Expression expr() throws ParseException {
        enter();
        Expression left = term();
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != '+' && c != '-') break;
            pos++;
            Expression right = term();
            Expression l = left;
            left = c == '+' ? v -> l.eval(v).add(right.eval(v)) : v -> l.eval(v).subtract(right.eval(v));
        }
        depth--;
        return left;
    }

    private Expression term() throws ParseException {
        int start = pos;
        Expression left = unary();
        boolean loneInteger = s.substring(start, pos).matches("-?\\d+");
        boolean negative = s.charAt(start) == '-';
        while (pos < s.length()) {
            if (loneInteger && s.startsWith("\\frac", pos)) {
                int mark = pos;
                Expression frac = primary();
                if (s.substring(mark, pos).matches("\\\\frac(\\{\\d+}|\\d)(\\{\\d+}|\\d)")) {
                    Expression whole = left;
                    left = negative
                            ? v -> whole.eval(v).subtract(frac.eval(v))
                            : v -> whole.eval(v).add(frac.eval(v));
                    loneInteger = false;
                    continue;
                }
                pos = mark;
            }
            loneInteger = false;
            if (eat("*") || eat("\\cdot") || eat("\\times")) {
                Expression l = left, r = unary();
                left = v -> l.eval(v).multiply(r.eval(v));
            } else if (eat("/") || eat("\\div")) {
                Expression l = left, r = unary();
                left = v -> l.eval(v).divide(r.eval(v));
            } else if (startsPrimary()) {
                Expression l = left, r = power();
                left = v -> l.eval(v).multiply(r.eval(v));
            } else {
                break;
            }
        }
        return left;
    }

    private boolean startsPrimary() {
        char c = s.charAt(pos);
        if (c == '(' || c == '{' || Character.isLetter(c) || Character.isDigit(c) || c == '.') return true;
        return c == '\\'
                && !s.startsWith("\\cdot", pos)
                && !s.startsWith("\\times", pos)
                && !s.startsWith("\\div", pos);
    }

    private Expression unary() throws ParseException {
        if (eat("-")) {
            enter();
            Expression e = unary();
            depth--;
            return v -> e.eval(v).negate();
        }
        if (eat("+")) return unary();
        return power();
    }

    private Expression power() throws ParseException {
        Expression base = primary();
        if (eat("^")) {
            enter();
            Expression exponent = pos < s.length() && s.charAt(pos) == '-' ? unary() : power(); // right-associative
            depth--;
            return v -> base.eval(v).pow(exponent.eval(v));
        }
        return base;
    }

    private Expression primary() throws ParseException {
        if (pos >= s.length()) throw new ParseException("unexpected end of '" + s + "'");
        char c = s.charAt(pos);
        if (Character.isDigit(c) || c == '.') return number();
        if (c == '(' || c == '{') {
            pos++;
            Expression e = expr();
            if (!eat(c == '(' ? ")" : "}")) throw new ParseException("unbalanced '" + c + "' in '" + s + "'");
            return e;
        }
        if (eat("\\frac")) {
            Expression num = argument(), den = argument();
            return v -> num.eval(v).divide(den.eval(v));
        }
        if (eat("\\sqrt")) {
            if (eat("[")) {
                Expression index = expr();
                if (!eat("]")) throw new ParseException("unbalanced '[' in '" + s + "'");
                Expression radicand = argument();
                return v -> radicand.eval(v).root(index.eval(v));
            }
            Expression radicand = argument();
            return v -> radicand.eval(v).sqrt();
        }
        if (eat("\\pi")) return v -> Num.approx(Math.PI);
        if (eat("\\infty") || eat("\\inf")) return v -> Num.POSITIVE_INFINITY;
        if (Character.isLetter(c) && c < 128) {
            String name = String.valueOf(c);
            pos++;
            variables.add(name);
            return v -> {
                Num value = v.get(name);
                if (value == null) throw new ArithmeticException("no value for variable " + name);
                return value;
            };
        }
        throw new ParseException("unsupported '" + s.substring(pos) + "' in '" + s + "'");
    }

    /** A LaTeX macro argument: a braced expression, or a single digit/letter/macro when no brace follows. */
    private Expression argument() throws ParseException {
        if (pos >= s.length()) throw new ParseException("missing argument in '" + s + "'");
        char c = s.charAt(pos);
        if (c == '{') return primary();
        if (Character.isDigit(c)) {
            pos++;
            Num digit = Num.exact(Fraction.of(c - '0'));
            return v -> digit;
        }
        return primary();
    }

    private Expression number() throws ParseException {
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        boolean decimal = false;
        if (pos < s.length()
                && s.charAt(pos) == '.'
                && (pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1)))) {
            decimal = true;
            pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        }
        String literal = s.substring(start, pos);
        if (literal.isEmpty() || literal.equals(".")) throw new ParseException("bad number in '" + s + "'");
        Fraction f;
        try {
            f = Fraction.parseDecimal(literal);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ParseException("bad number '" + literal + "': " + e.getMessage());
        }
        Num n = decimal ? Num.decimal(f) : Num.exact(f);
        return v -> n;
    }

    private boolean eat(String token) {
        if (!s.startsWith(token, pos)) return false;
        // a macro name must not continue with letters (\pi vs \pid)
        if (token.startsWith("\\")
                && Character.isLetter(token.charAt(token.length() - 1))
                && pos + token.length() < s.length()
                && Character.isLetter(s.charAt(pos + token.length()))) {
            return false;
        }
        pos += token.length();
        return true;
    }

    private void enter() throws ParseException {
        if (++depth > MAX_DEPTH) throw new ParseException("expression nested deeper than " + MAX_DEPTH);
    }

    /** Evaluates with no free variables; convenience for callers that know the expression is closed. */
    public static Num evaluate(Expression.Parsed parsed) {
        return parsed.expression().eval(Map.of());
    }
}
