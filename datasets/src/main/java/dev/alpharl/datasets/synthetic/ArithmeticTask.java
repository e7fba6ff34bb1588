package dev.alpharl.datasets.synthetic;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.SplitMix64;
import java.math.BigInteger;
import java.util.Map;

/**
 * Multi-digit integer arithmetic: "What is 37+485*2?" with answer "1007". Operands are non-negative integers whose
 * digit counts are uniform in [minDigits, maxDigits]; operators are drawn from {@code ops} (a subset of "+-*");
 * the usual precedence applies (* before + and -); answers may be negative. Field {@code expression} holds the
 * expression, which is also the canonical form.
 */
public record ArithmeticTask(int minDigits, int maxDigits, int operands, String ops) implements SyntheticTask {

    public static final int MAX_DIGITS = 18; // operands fit in a long

    public ArithmeticTask {
        if (minDigits < 1 || maxDigits < minDigits || maxDigits > MAX_DIGITS) {
            throw new DatasetException("arithmetic: need 1 <= min-digits <= max-digits <= " + MAX_DIGITS + ", got "
                    + minDigits + " and " + maxDigits);
        }
        if (operands < 2 || operands > 10) {
            throw new DatasetException("arithmetic: operands must be in [2, 10], got " + operands);
        }
        Operators.validate("arithmetic", ops, "+-*");
    }

    @Override
    public String name() {
        return "arithmetic";
    }

    @Override
    public Problem draw(SplitMix64 rng) {
        long[] values = new long[operands];
        char[] operators = new char[operands - 1];
        StringBuilder expr = new StringBuilder();
        for (int i = 0; i < operands; i++) {
            int digits = minDigits + rng.nextInt(maxDigits - minDigits + 1);
            long lo = digits == 1 ? 0 : pow10(digits - 1);
            values[i] = rng.nextLong(lo, pow10(digits) - 1);
            if (i > 0) {
                operators[i - 1] = ops.charAt(rng.nextInt(ops.length()));
                expr.append(operators[i - 1]);
            }
            expr.append(values[i]);
        }
        String expression = expr.toString();
        return new Problem(
                expression,
                "What is " + expression + "?",
                evaluate(values, operators).toString(),
                Map.of("expression", expression));
    }

    /** v0 o1 v1 o2 v2 ... with * binding tighter than + and -: a sum of signed products. */
    static BigInteger evaluate(long[] values, char[] operators) {
        BigInteger total = BigInteger.ZERO;
        BigInteger term = BigInteger.valueOf(values[0]);
        for (int i = 0; i < operators.length; i++) {
            BigInteger v = BigInteger.valueOf(values[i + 1]);
            switch (operators[i]) {
                case '*' -> term = term.multiply(v);
                case '+' -> {
                    total = total.add(term);
                    term = v;
                }
                case '-' -> {
                    total = total.add(term);
                    term = v.negate();
                }
                default -> throw new IllegalStateException("operator " + operators[i]);
            }
        }
        return total.add(term);
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
