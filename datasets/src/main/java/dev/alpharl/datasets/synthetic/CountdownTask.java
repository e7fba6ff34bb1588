package dev.alpharl.datasets.synthetic;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.SplitMix64;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Countdown: reach a target from given numbers, each used exactly once, with the allowed operators. The target is
 * reachable by construction: {@code count} numbers uniform in [1, maxNumber] are combined pairwise at random with a
 * random allowed operator whose result is a positive integer (a larger minus a smaller number, exact division by a
 * number above 1) until one value remains; it is kept when it lies in [1, maxTarget].
 * Answer: the target as text. Fields: {@code numbers} (List&lt;Integer&gt;, in prompt order), {@code target}
 * (Integer), {@code solution} (one expression reaching the target). Canonical form: sorted numbers and target.
 */
public record CountdownTask(int count, int maxNumber, int maxTarget, String ops) implements SyntheticTask {

    private static final int MAX_ATTEMPTS = 10_000;

    public CountdownTask {
        if (count < 2 || count > 6) {
            throw new DatasetException("countdown: count must be in [2, 6], got " + count);
        }
        if (maxNumber < 1 || maxNumber > 1000) {
            throw new DatasetException("countdown: max-number must be in [1, 1000], got " + maxNumber);
        }
        if (maxTarget < 1) {
            throw new DatasetException("countdown: max-target must be positive, got " + maxTarget);
        }
        Operators.validate("countdown", ops, "+-*/");
    }

    @Override
    public String name() {
        return "countdown";
    }

    /** A value and an expression that evaluates to it. */
    private record Term(long value, String expr) {}

    @Override
    public Problem draw(SplitMix64 rng) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            int[] numbers = new int[count];
            List<Term> terms = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                numbers[i] = 1 + rng.nextInt(maxNumber);
                terms.add(new Term(numbers[i], Integer.toString(numbers[i])));
            }
            Term result = combine(terms, rng);
            if (result != null && result.value >= 1 && result.value <= maxTarget) {
                return problem(numbers, (int) result.value, unwrap(result.expr));
            }
        }
        throw new DatasetException("countdown: no target in [1, " + maxTarget + "] after " + MAX_ATTEMPTS
                + " constructions with count " + count + ", max-number " + maxNumber + ", ops " + ops
                + "; raise max-target or lower max-number");
    }

    /** Combines random pairs until one term remains; null when a pair admits no allowed operator. */
    private Term combine(List<Term> terms, SplitMix64 rng) {
        while (terms.size() > 1) {
            int i = rng.nextInt(terms.size());
            int j = rng.nextInt(terms.size() - 1);
            if (j >= i) {
                j++;
            }
            Term a = terms.get(i);
            Term b = terms.get(j);
            Term big = a.value >= b.value ? a : b;
            Term small = big == a ? b : a;
            List<Term> options = new ArrayList<>(4);
            for (char op : ops.toCharArray()) {
                switch (op) {
                    case '+' -> options.add(join(a, '+', b, a.value + b.value));
                    case '*' -> {
                        if (a.value <= Long.MAX_VALUE / b.value) {
                            options.add(join(a, '*', b, a.value * b.value));
                        }
                    }
                    case '-' -> {
                        if (big.value > small.value) {
                            options.add(join(big, '-', small, big.value - small.value));
                        }
                    }
                    case '/' -> {
                        if (small.value > 1 && big.value % small.value == 0) {
                            options.add(join(big, '/', small, big.value / small.value));
                        }
                    }
                    default -> throw new IllegalStateException("operator " + op);
                }
            }
            if (options.isEmpty()) {
                return null;
            }
            terms.remove(Math.max(i, j));
            terms.remove(Math.min(i, j));
            terms.add(options.get(rng.nextInt(options.size())));
        }
        return terms.get(0);
    }

    private static Term join(Term x, char op, Term y, long value) {
        return new Term(value, "(" + x.expr + op + y.expr + ")");
    }

    private static String unwrap(String expr) {
        return expr.startsWith("(") ? expr.substring(1, expr.length() - 1) : expr;
    }

    private Problem problem(int[] numbers, int target, String solution) {
        List<Integer> shown = Arrays.stream(numbers).boxed().toList();
        int[] sorted = numbers.clone();
        Arrays.sort(sorted);
        String opsText = String.join(" ", ops.split(""));
        String prompt = "Using each of the numbers "
                + String.join(", ", shown.stream().map(String::valueOf).toList())
                + " exactly once, and the operations " + opsText + ", write an expression that equals " + target
                + ".";
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("numbers", shown);
        fields.put("target", target);
        fields.put("solution", solution);
        return new Problem(Arrays.toString(sorted) + "=" + target, prompt, Integer.toString(target), fields);
    }
}
