package dev.alpharl.rewards.math;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Canonicalises an extracted answer string before comparison, following the MATH / Minerva / Qwen2.5-Math
 * normalisers (ALGORITHMS.md §9): text wrappers, units, {@code $}, {@code %}, degrees, {@code \left}/{@code \right},
 * LaTeX spacing, {@code \dfrac}/{@code \tfrac}, thousands separators, whitespace, a trailing period, a simple
 * "x =" left-hand side and a "(C)" choice. The result has no whitespace.
 */
public final class AnswerNormalizer {
    private AnswerNormalizer() {}

    private static final String[] TEXT_WRAPPERS = {
        "\\text", "\\textbf", "\\textit", "\\textrm", "\\mathrm", "\\mathbf", "\\mbox", "\\boxed", "\\fbox"
    };

    /** Spacing, sizing and display commands that carry no value. */
    private static final Pattern NOISE = Pattern.compile(
            "\\\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])|\\\\displaystyle|(?<!\\\\)\\\\[!,;: ]|\\\\q?quad(?![a-zA-Z])|~");

    private static final Pattern DEGREES =
            Pattern.compile("\\^\\s*\\{?\\s*\\\\circ\\s*}?|\\\\circ|°|\\\\degree(?![a-zA-Z])");

    /** Words typically following a number as a unit (matched after a number, with or without a space). */
    private static final String UNIT_WORDS = "cm|mm|km|kg|mg|ml|ft|in|yd|mi|lbs?|oz|mph|kph|sq|cents?|dollars?|euros?|"
            + "inch(?:es)?|feet|foot|meters?|metres?|miles?|hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|"
            + "months?|years?|units?|degrees?|percent|pounds?|grams?|kilograms?|liters?|litres?|gallons?|points?|"
            + "square|cubic|ways|students|people|times|pages|books|apples";
    /** A trailing run of unit-like words after a number: "18 dollars", "5cm", "10 square units", "4 cm^2". */
    private static final Pattern TRAILING_UNITS = Pattern.compile("(?<=[\\d}).])(?:\\s*(?:" + UNIT_WORDS
            + ")\\b\\.?|\\s+[a-zA-Z]{2,}\\.?)(?:\\s+[a-zA-Z]+\\.?)*\\s*(?:\\^\\s*\\{?[23]}?)?\\s*$");

    private static final Pattern THOUSANDS = Pattern.compile("[-+]?[1-9]\\d{0,2}(?:,\\d{3})+(?:\\.\\d+)?");
    private static final Pattern SIMPLE_LHS =
            Pattern.compile("^(?:[a-zA-Z](?:_\\{?\\w+}?)?|\\\\[a-zA-Z]+)(?:\\([a-z]\\))?=(?!=)");
    private static final Pattern CHOICE = Pattern.compile("^\\(([A-Ea-e])\\)$");

    public static String normalize(String answer) {
        String s = answer.trim();
        for (int pass = 0; pass < 3; pass++) {
            String before = s;
            for (String w : TEXT_WRAPPERS) s = Latex.unwrap(s, w);
            if (s.equals(before)) break;
        }
        s = s.replace("\\$", "").replace("$", "");
        s = s.replace('\u2212', '-')
                .replace("\u00d7", "\\times ")
                .replace("\u00f7", "\\div ")
                .replace("\u03c0", "\\pi ")
                .replace("\u221e", "\\infty ")
                .replace("\u221a", "\\sqrt")
                .replace("\u222a", "\\cup ");
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s = NOISE.matcher(s).replaceAll(" ");
        s = DEGREES.matcher(s).replaceAll("");
        s = s.replace("\\%", "").replace("%", "");
        s = s.replace("{,}", "");
        s = s.strip();
        s = stripTrailingPeriods(s);
        s = TRAILING_UNITS.matcher(s).replaceAll("");
        s = s.strip();
        s = stripThousandsSeparators(s);
        s = s.replaceAll("\\\\pi\\s+(?=[a-zA-Z])", "\\\\pi*"); // keep "\\pi r" from fusing into "\\pir"
        s = s.replaceAll("\\s+", "");
        s = stripTrailingPeriods(s);
        s = stripLhs(s);
        Matcher choice = CHOICE.matcher(s);
        if (choice.matches()) s = choice.group(1).toUpperCase();
        return s;
    }

    /** "x=5" → "5", "f(x)=2x" → "2x", "\theta=30" → "30"; an equation with several '=' or a complex lhs is kept. */
    public static String stripLhs(String s) {
        Matcher m = SIMPLE_LHS.matcher(s);
        if (m.find() && s.indexOf('=', m.end()) < 0 && m.end() < s.length()) return s.substring(m.end());
        return s;
    }

    /** "1,234,567.5" → "1234567.5"; a string that is not one grouped number ("3, 4", "0,5", "(1,000)") is kept. */
    public static String stripThousandsSeparators(String s) {
        return THOUSANDS.matcher(s).matches() ? s.replace(",", "") : s;
    }

    private static String stripTrailingPeriods(String s) {
        while (s.endsWith(".") || s.endsWith("\\."))
            s = s.substring(0, s.length() - 1).strip();
        return s;
    }
}
