package dev.alpharl.rewards;

import dev.alpharl.rewards.countdown.CountdownEquation;
import dev.alpharl.rewards.math.AnswerExtractor;
import dev.alpharl.rewards.math.Fraction;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Countdown (TinyZero task): the completion's equation must reach the sample's "target" using the sample's
 * "numbers", each at most once (or exactly once with {@code useAll}), with + − × ÷ and parentheses.
 * The equation is the last {@code <answer>…</answer>}, else the last \boxed{}, else the last non-blank line;
 * a trailing "= value" is dropped. Scores: {@code correct} when valid and equal to the target exactly;
 * {@code formatScore} when an equation was given (tag or box, or a last line that parses) but is invalid or
 * wrong (TinyZero: 0.1); 0 when there is none.
 */
public final class CountdownReward implements RewardFunction {
    private static final Pattern ANSWER_TAG = Pattern.compile("<answer>(.*?)</answer>", Pattern.DOTALL);

    private final boolean useAll;
    private final double correct;
    private final double formatScore;
    private final String numbersField;
    private final String targetField;

    public CountdownReward(
            boolean useAll, double correct, double formatScore, String numbersField, String targetField) {
        this.useAll = useAll;
        this.correct = correct;
        this.formatScore = formatScore;
        this.numbersField = numbersField;
        this.targetField = targetField;
    }

    @Override
    public String name() {
        return "countdown";
    }

    @Override
    public RewardResult score(String prompt, String completion, Map<String, Object> fields) {
        List<BigInteger> available = integers(fields.get(numbersField), numbersField, fields);
        Fraction target = target(fields.get(targetField), fields);
        Map<String, Object> diagnostics = new LinkedHashMap<>();

        boolean marked = true;
        Optional<String> found = lastAnswerTag(completion).or(() -> AnswerExtractor.lastBoxed(completion));
        if (found.isEmpty()) {
            marked = false;
            found = lastNonBlankLine(completion);
        }
        if (found.isEmpty()) return verdict(0.0, "no equation", diagnostics);
        String equation = clean(found.get());
        diagnostics.put("equation", equation);

        CountdownEquation parsed;
        try {
            parsed = CountdownEquation.parse(equation);
        } catch (CountdownEquation.SyntaxException e) {
            return verdict(marked ? formatScore : 0.0, "bad syntax: " + e.getMessage(), diagnostics);
        } catch (ArithmeticException e) {
            return verdict(formatScore, "division by zero", diagnostics);
        }
        String misuse = numberMisuse(parsed.numbers(), available);
        if (misuse != null) return verdict(formatScore, misuse, diagnostics);
        diagnostics.put("value", parsed.value().toString());
        if (!parsed.value().equals(target))
            return verdict(formatScore, "value " + parsed.value() + " != target " + target, diagnostics);
        return verdict(correct, null, diagnostics);
    }

    private static RewardResult verdict(double score, String problem, Map<String, Object> diagnostics) {
        diagnostics.put("correct", problem == null);
        if (problem != null) diagnostics.put("problem", problem);
        return RewardResult.of(score, diagnostics);
    }

    /** Null when the used numbers are a sub-multiset of the available ones (the same multiset with useAll). */
    private String numberMisuse(List<BigInteger> used, List<BigInteger> available) {
        List<BigInteger> left = new ArrayList<>(available);
        for (BigInteger n : used) {
            if (!left.remove(n)) {
                return available.contains(n)
                        ? "number " + n + " used more often than given " + available
                        : "number " + n + " is not in " + available;
            }
        }
        if (useAll && !left.isEmpty()) return "numbers " + left + " not used (all of " + available + " are required)";
        return null;
    }

    private static Optional<String> lastAnswerTag(String text) {
        Matcher m = ANSWER_TAG.matcher(text);
        String last = null;
        while (m.find()) last = m.group(1);
        return Optional.ofNullable(last);
    }

    private static Optional<String> lastNonBlankLine(String text) {
        String[] lines = text.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) if (!lines[i].isBlank()) return Optional.of(lines[i]);
        return Optional.empty();
    }

    /** LaTeX/Unicode operators to ASCII, decoration removed, and a trailing "= value" dropped. */
    static String clean(String raw) {
        String s = raw.replace("\\times", "*")
                .replace("\\cdot", "*")
                .replace("\u00d7", "*")
                .replace("\u00b7", "*")
                .replace("\\div", "/")
                .replace("\u00f7", "/")
                .replace("\u2212", "-")
                .replace("\\left", "")
                .replace("\\right", "")
                .replace("$", "")
                .replace("\\(", "")
                .replace("\\)", "")
                .replace("\\[", "")
                .replace("\\]", "")
                .strip();
        int eq = s.indexOf('=');
        if (eq >= 0) {
            String left = s.substring(0, eq), right = s.substring(eq + 1);
            s = right.strip().matches("-?\\d+(\\.\\d+)?") || left.matches(".*[-+*/].*") ? left : right;
        }
        return s.strip();
    }

    private static List<BigInteger> integers(Object value, String field, Map<String, Object> fields) {
        if (value == null)
            throw new IllegalArgumentException(
                    "countdown reward: the sample has no '" + field + "' field (fields: " + fields.keySet() + ")");
        List<BigInteger> out = new ArrayList<>();
        if (value instanceof int[] a) {
            for (int x : a) out.add(BigInteger.valueOf(x));
        } else if (value instanceof long[] a) {
            for (long x : a) out.add(BigInteger.valueOf(x));
        } else if (value instanceof Iterable<?> it) {
            for (Object x : it) out.add(integer(x, field));
        } else if (value instanceof CharSequence cs) {
            for (String part : cs.toString().replaceAll("[\\[\\]()]", "").split("[,\\s]+"))
                if (!part.isEmpty()) out.add(integer(part, field));
        } else {
            throw new IllegalArgumentException("countdown reward: '" + field + "' must be a list of integers, got "
                    + value.getClass().getSimpleName());
        }
        if (out.isEmpty()) throw new IllegalArgumentException("countdown reward: '" + field + "' is empty");
        return out;
    }

    private static BigInteger integer(Object x, String field) {
        try {
            if (x instanceof Number n) {
                double d = n.doubleValue();
                if (n instanceof Double || n instanceof Float) {
                    if (d != Math.rint(d)) throw new NumberFormatException(x.toString());
                    return BigInteger.valueOf((long) d);
                }
                return new BigInteger(n.toString());
            }
            return new BigInteger(String.valueOf(x).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("countdown reward: '" + field + "' must hold integers, got '" + x + "'");
        }
    }

    private Fraction target(Object value, Map<String, Object> fields) {
        if (value == null)
            throw new IllegalArgumentException("countdown reward: the sample has no '" + targetField
                    + "' field (fields: " + fields.keySet() + ")");
        return Fraction.of(integer(value, targetField), BigInteger.ONE);
    }
}
