package dev.alpharl.rewards.countdown;

import dev.alpharl.rewards.math.Fraction;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A Countdown equation: integers combined with binary + − × ÷ and parentheses, evaluated exactly with rationals
 * (so 6/(1−3/4) is 24, and a division that is not exact keeps its fraction). No unary minus, no other symbols.
 * <pre>
 * expr   := term (('+' | '-') term)*
 * term   := factor (('*' | '/') factor)*
 * factor := integer | '(' expr ')'
 * </pre>
 */
public final class CountdownEquation {
    private static final int MAX_LENGTH = 1000;
    private static final int MAX_DEPTH = 100;

    /** The equation is not well formed; the message says where. */
    public static final class SyntaxException extends Exception {
        public SyntaxException(String message) {
            super(message);
        }
    }

    private final Fraction value;
    private final List<BigInteger> numbers;

    private CountdownEquation(Fraction value, List<BigInteger> numbers) {
        this.value = value;
        this.numbers = List.copyOf(numbers);
    }

    /** The exact value (ArithmeticException from {@link #parse} on division by zero). */
    public Fraction value() {
        return value;
    }

    /** The integer literals used, in order of appearance. */
    public List<BigInteger> numbers() {
        return numbers;
    }

    /**
     * Parses and evaluates an expression written with ASCII operators and no spaces' significance.
     *
     * @throws SyntaxException  malformed input or a symbol other than digits, + - * / ( )
     * @throws ArithmeticException division by zero
     */
    public static CountdownEquation parse(String text) throws SyntaxException {
        String s = text.replaceAll("\\s+", "");
        if (s.isEmpty()) throw new SyntaxException("empty equation");
        if (s.length() > MAX_LENGTH) throw new SyntaxException("equation longer than " + MAX_LENGTH + " characters");
        Parser p = new Parser(s);
        Fraction v = p.expr(0);
        if (p.pos != s.length())
            throw new SyntaxException("unexpected '" + s.charAt(p.pos) + "' at position " + p.pos + " in '" + s + "'");
        return new CountdownEquation(v, p.used);
    }

    private static final class Parser {
        final String s;
        int pos;
        final List<BigInteger> used = new ArrayList<>();

        Parser(String s) {
            this.s = s;
        }

        Fraction expr(int depth) throws SyntaxException {
            if (depth > MAX_DEPTH) throw new SyntaxException("parentheses nested deeper than " + MAX_DEPTH);
            Fraction v = term(depth);
            while (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                char op = s.charAt(pos++);
                Fraction r = term(depth);
                v = op == '+' ? v.add(r) : v.subtract(r);
            }
            return v;
        }

        Fraction term(int depth) throws SyntaxException {
            Fraction v = factor(depth);
            while (pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/')) {
                char op = s.charAt(pos++);
                Fraction r = factor(depth);
                v = op == '*' ? v.multiply(r) : v.divide(r);
            }
            return v;
        }

        Fraction factor(int depth) throws SyntaxException {
            if (pos >= s.length())
                throw new SyntaxException("equation '" + s + "' ends where a number or '(' was expected");
            char c = s.charAt(pos);
            if (c == '(') {
                pos++;
                Fraction v = expr(depth + 1);
                if (pos >= s.length() || s.charAt(pos) != ')') throw new SyntaxException("unclosed '(' in '" + s + "'");
                pos++;
                return v;
            }
            if (!Character.isDigit(c)) {
                throw new SyntaxException("unexpected '" + c + "' at position " + pos + " in '" + s
                        + "' (only integers, + - * / and parentheses)");
            }
            int start = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            if (pos < s.length() && s.charAt(pos) == '.')
                throw new SyntaxException("decimal number in '" + s + "' (only the given integers)");
            BigInteger n = new BigInteger(s.substring(start, pos));
            used.add(n);
            return Fraction.of(n, BigInteger.ONE);
        }
    }
}
