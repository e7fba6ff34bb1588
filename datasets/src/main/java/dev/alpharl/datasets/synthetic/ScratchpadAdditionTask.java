package dev.alpharl.datasets.synthetic;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.datasets.SplitMix64;
import java.util.Map;

/**
 * Addition of two multi-digit numbers answered with a written chain: one column per digit from the right, then the
 * sum. For 4758+3967 the correct chain is
 * <pre>
 *   8+7=15,5+6+1=12,7+9+1=17,4+3+1=8 so 8725
 * </pre>
 * (a column adds its two digits, a shorter number's missing digits being 0, plus "+1" when the column to its right
 * carried; a final carry becomes the sum's leading 1). The flawed procedure, a plausible error, forgets the carries:
 * every column is just "x+y=s" and the sum is built from the last digit of each column,
 * <pre>
 *   8+7=15,5+6=11,7+9=16,4+3=7 so 7615
 * </pre>
 * which is right only when no column carries. Each problem's {@link PromptSample#SOLUTION} field (what {@code sft} trains on)
 * follows the flawed procedure with probability {@code flawedFraction}, drawn with the problem, so that a model made by
 * supervised training on the mixture knows both procedures and samples the right one a fraction of the time: the
 * regime where RL sharpens an existing skill. The answer is always the true sum.
 */
public record ScratchpadAdditionTask(int minDigits, int maxDigits, double flawedFraction) implements SyntheticTask {

    /** The field telling which procedure the solution follows: {@code correct} or {@code flawed}. */
    public static final String PROCEDURE = "procedure";

    public static final int MAX_DIGITS = 9;

    public ScratchpadAdditionTask {
        if (minDigits < 1 || maxDigits < minDigits || maxDigits > MAX_DIGITS) {
            throw new DatasetException("scratchpad-addition: need 1 <= min-digits <= max-digits <= " + MAX_DIGITS
                    + ", got " + minDigits + " and " + maxDigits);
        }
        if (!(flawedFraction >= 0 && flawedFraction <= 1)) {
            throw new DatasetException("scratchpad-addition: flawed-fraction must be in [0, 1], got " + flawedFraction);
        }
    }

    @Override
    public String name() {
        return "scratchpad-addition";
    }

    @Override
    public Problem draw(SplitMix64 rng) {
        long a = operand(rng), b = operand(rng);
        boolean flawed = rng.nextDouble() < flawedFraction;
        String expression = a + "+" + b;
        return new Problem(
                expression,
                "What is " + expression + "?",
                Long.toString(a + b),
                Map.of(
                        "expression",
                        expression,
                        PromptSample.SOLUTION,
                        flawed ? flawedChain(a, b) : correctChain(a, b),
                        PROCEDURE,
                        flawed ? "flawed" : "correct"));
    }

    private long operand(SplitMix64 rng) {
        int digits = minDigits + rng.nextInt(maxDigits - minDigits + 1);
        long lo = digits == 1 ? 0 : pow10(digits - 1);
        return rng.nextLong(lo, pow10(digits) - 1);
    }

    /** The column-by-column chain with carries, ending in " so " and the true sum. */
    static String correctChain(long a, long b) {
        long sum = a + b;
        StringBuilder chain = new StringBuilder();
        int carry = 0;
        int columns = Math.max(Long.toString(a).length(), Long.toString(b).length());
        for (int i = 0; i < columns; i++, a /= 10, b /= 10) {
            int x = (int) (a % 10), y = (int) (b % 10);
            int s = x + y + carry;
            chain.append(i == 0 ? "" : ",").append(x).append('+').append(y);
            chain.append(carry == 1 ? "+1" : "").append('=').append(s);
            carry = s / 10;
        }
        return chain + " so " + sum;
    }

    /** The chain that forgets carries, ending in " so " and the digit-wise sum modulo 10. */
    static String flawedChain(long a, long b) {
        StringBuilder chain = new StringBuilder();
        StringBuilder digits = new StringBuilder();
        int columns = Math.max(Long.toString(a).length(), Long.toString(b).length());
        for (int i = 0; i < columns; i++, a /= 10, b /= 10) {
            int x = (int) (a % 10), y = (int) (b % 10);
            chain.append(i == 0 ? "" : ",")
                    .append(x)
                    .append('+')
                    .append(y)
                    .append('=')
                    .append(x + y);
            digits.insert(0, (x + y) % 10);
        }
        return chain + " so " + Long.parseLong(digits.toString());
    }

    private static long pow10(int n) {
        long p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
