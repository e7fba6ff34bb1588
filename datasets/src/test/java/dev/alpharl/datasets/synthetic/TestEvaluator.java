package dev.alpharl.datasets.synthetic;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only reference: a recursive-descent evaluator for integer expressions with + - * / and parentheses
 * (usual precedence, left associativity, division must be exact). Independent of the generators' own arithmetic.
 */
final class TestEvaluator {

    private final String s;
    private int pos;
    final List<Integer> literals = new ArrayList<>();

    private TestEvaluator(String s) {
        this.s = s;
    }

    static BigInteger eval(String expression) {
        return new TestEvaluator(expression).parseAll();
    }

    /** The integer literals of the expression, in order. */
    static List<Integer> literals(String expression) {
        TestEvaluator e = new TestEvaluator(expression);
        e.parseAll();
        return e.literals;
    }

    private BigInteger parseAll() {
        BigInteger v = sum();
        if (pos != s.length()) {
            throw new IllegalArgumentException("trailing input at " + pos + " in " + s);
        }
        return v;
    }

    private BigInteger sum() {
        BigInteger v = product();
        while (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
            char op = s.charAt(pos++);
            BigInteger r = product();
            v = op == '+' ? v.add(r) : v.subtract(r);
        }
        return v;
    }

    private BigInteger product() {
        BigInteger v = atom();
        while (pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/')) {
            char op = s.charAt(pos++);
            BigInteger r = atom();
            if (op == '*') {
                v = v.multiply(r);
            } else {
                BigInteger[] qr = v.divideAndRemainder(r);
                if (qr[1].signum() != 0) {
                    throw new ArithmeticException("inexact division " + v + "/" + r);
                }
                v = qr[0];
            }
        }
        return v;
    }

    private BigInteger atom() {
        if (s.charAt(pos) == '(') {
            pos++;
            BigInteger v = sum();
            if (s.charAt(pos++) != ')') {
                throw new IllegalArgumentException("expected ) in " + s);
            }
            return v;
        }
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw new IllegalArgumentException("expected a number at " + pos + " in " + s);
        }
        String digits = s.substring(start, pos);
        if (digits.length() <= 9) {
            literals.add(Integer.parseInt(digits));
        }
        return new BigInteger(digits);
    }
}
