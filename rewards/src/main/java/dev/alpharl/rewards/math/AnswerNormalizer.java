package dev.alpharl.rewards.math;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cleans an extracted answer (or a gold answer) into the text {@link AnswerParser} reads: the value stays, the
 * decoration goes. Boxes, {@code $} and {@code \(…\)} delimiters, {@code \text}/{@code \textbf}/{@code \mathrm}
 * wrappers (their content is kept), {@code \left}/{@code \right}, spacing commands, {@code \dfrac}/{@code
 * \tfrac}/{@code \cfrac}, degrees, currency signs, units after a number ("12 cm", "5 dollars", "10 square
 * units", "m²"), a trailing period; "and"/"or" between items become commas; {@code \%}, "percent" and "pct"
 * become {@code %} (kept: the comparison reads it); a whole answer that is one number written with thousands
 * separators ({@code 7,425,000}, {@code 1 000}, {@code 1\,000}, {@code 1{,}000}) or an unambiguous decimal comma
 * ({@code 1000,99}, {@code 0,5}) becomes a plain number. The result has single spaces. Linear-time regular
 * expressions only.
 */
public final class AnswerNormalizer {
    private AnswerNormalizer() {}

    private static final String[] TEXT_WRAPPERS = {
        "\\text", "\\textbf", "\\textit", "\\textrm", "\\textnormal", "\\textsf", "\\texttt", "\\textup", "\\mathrm",
        "\\mathbf", "\\mathit", "\\mathsf", "\\mathtt", "\\mathnormal", "\\boldsymbol", "\\mbox", "\\hbox", "\\emph"
    };

    private static final Pattern OPERATORNAME = Pattern.compile("\\\\operatorname\\s*\\{\\s*([a-zA-Z]+)\\s*}");
    private static final Pattern LEFT_RIGHT = Pattern.compile("\\\\(?:left|right)(?![a-zA-Z])\\s*\\.?");
    private static final Pattern SIZES = Pattern.compile(
            "\\\\(?:[bB]igg?[lrm]?|displaystyle|textstyle|scriptstyle|limits|nolimits|mathstrut)(?![a-zA-Z])");
    private static final Pattern THIN_SPACES = Pattern.compile("(?<!\\\\)\\\\[,!]|\\{,\\}(?=\\d)");
    private static final Pattern SPACES =
            Pattern.compile("(?<!\\\\)\\\\[;: ]|\\\\q?quad(?![a-zA-Z])|~|\\\\hspace\\*?\\{[^}]*}");
    private static final Pattern DEGREES = Pattern.compile(
            "\\^\\s*\\{\\s*\\\\circ\\s*}|\\^\\s*\\\\circ(?![a-zA-Z])|\\\\circ(?![a-zA-Z])|\\\\degree(?![a-zA-Z])");
    private static final Pattern PERCENT_WORD =
            Pattern.compile("(?i)\\s*\\b(?:percentage|percent|per\\s+cent|pct)\\b\\.?");
    private static final Pattern AND_OR = Pattern.compile("(?i)\\s*,?\\s*\\b(?:and|or)\\b\\s*,?\\s*");
    private static final Pattern MEMBER_OF = Pattern.compile("^[a-zA-Z]\\s*\\\\in(?![a-zA-Z])\\s*");
    private static final Pattern CURRENCY_PREFIX = Pattern.compile("^(?:USD|US|Rs\\.?|INR|EUR|GBP)\\s*(?=[\\d.-])");

    /** Unit words after a number (the plural 's' is optional): removed with an optional square/cube power. */
    private static final String UNIT_WORDS = "cm|mm|km|kg|mg|ml|mL|ft|in|yd|mi|lbs?|oz|mph|kph|kmph|sq|cents?|dollars?"
            + "|euros?|pounds?|rupees?|yuan|yen|inch(?:es)?|feet|foot|meters?|metres?|miles?|hours?|hrs?|minutes?"
            + "|mins?|seconds?|secs?|days?|weeks?|months?|years?|yrs?|units?|degrees?|grams?|kilograms?|liters?"
            + "|litres?|gallons?|points?|square|cubic|ways|times|per|each|percent";
    /** Removed after a number: unit words, or a run of words ("12 square units", "15 ways", "5 apples"). */
    private static final Pattern TRAILING_UNITS = Pattern.compile("(?<=[\\d}).%])(?:\\s*(?:" + UNIT_WORDS
            + ")\\b\\.?|\\s+[a-zA-Z]{2,}\\.?)(?:/[a-zA-Z]+)?(?:\\s+[a-zA-Z]+\\.?(?:/[a-zA-Z]+)?)*"
            + "\\s*(?:\\^\\s*\\{?[23]}?)?\\s*$");
    /** A one-letter unit needs a space after the number: "5 m", "3 g", "2 h". */
    private static final Pattern ONE_LETTER_UNIT =
            Pattern.compile("(?<=\\d)\\s+[mgslhL]\\s*(?:\\^\\s*\\{?[23]}?)?\\s*$");

    private static final Pattern THOUSANDS = Pattern.compile("[-+]?[1-9]\\d{0,2}(?:,\\d{3})+(?:\\.\\d+)?");
    private static final Pattern THOUSANDS_SPACED = Pattern.compile("[-+]?[1-9]\\d{0,2}(?: \\d{3})+(?:\\.\\d+)?");
    private static final Pattern DECIMAL_COMMA = Pattern.compile("([-+]?)(\\d+),(\\d+)");
    private static final Pattern CHOICE = Pattern.compile("^\\(([A-Ea-e])\\)$");

    public static String normalize(String answer) {
        String s = answer.strip();
        if (s.length() > 4 * ExpressionParser.MAX_LENGTH) return s; // too long to be an answer: the caller rejects it
        s = stripDelimiters(s);
        for (int pass = 0; pass < 3; pass++) {
            String before = s;
            s = Latex.unwrap(s, "\\boxed");
            s = Latex.unwrap(s, "\\fbox");
            if (s.equals(before)) break;
        }
        s = OPERATORNAME.matcher(s).replaceAll(m -> isFunction(m.group(1)) ? "\\\\" + m.group(1) + " " : " $1 ");
        for (String w : TEXT_WRAPPERS) s = Latex.unwrapSpaced(s, w);
        s = s.replace("\\$", " ").replace("$", " ");
        s = replaceUnicode(s);
        s = s.replace("\\dfrac", "\\frac")
                .replace("\\tfrac", "\\frac")
                .replace("\\cfrac", "\\frac")
                .replace("\\dbinom", "\\binom")
                .replace("\\tbinom", "\\binom")
                .replace("\\lbrace", "\\{")
                .replace("\\rbrace", "\\}")
                .replace("\\%", "%");
        s = LEFT_RIGHT.matcher(s).replaceAll("");
        s = SIZES.matcher(s).replaceAll("");
        s = THIN_SPACES.matcher(s).replaceAll("");
        s = s.replace("{,}", ",");
        s = SPACES.matcher(s).replaceAll(" ");
        s = DEGREES.matcher(s).replaceAll("");
        s = PERCENT_WORD.matcher(s).replaceAll("%");
        s = AND_OR.matcher(s).replaceAll(", ");
        s = MEMBER_OF.matcher(s.strip()).replaceFirst("");
        s = stripTrailingPunctuation(s);
        for (int pass = 0; pass < 3; pass++) {
            String before = s;
            s = TRAILING_UNITS.matcher(s).replaceAll("");
            s = ONE_LETTER_UNIT.matcher(s).replaceAll("");
            s = stripTrailingPunctuation(s);
            if (s.equals(before)) break;
        }
        s = CURRENCY_PREFIX.matcher(s).replaceFirst("");
        s = collapseSpaces(s);
        s = plainNumber(s);
        Matcher choice = CHOICE.matcher(s);
        if (choice.matches()) s = choice.group(1).toUpperCase();
        return s;
    }

    /** "1,234,567.5" → "1234567.5"; a string that is not one grouped number ("3, 4", "0,5", "(1,000)") is kept. */
    public static String stripThousandsSeparators(String s) {
        return THOUSANDS.matcher(s).matches() ? s.replace(",", "") : s;
    }

    /**
     * One number written with separators becomes a plain number: "7,425,000", "1 000", "1000,99" (a comma after
     * four or more digits, or after a lone 0, or before four or more digits, cannot be a thousands separator).
     * "3,5" stays a list of two numbers.
     */
    static String plainNumber(String s) {
        if (THOUSANDS.matcher(s).matches()) return s.replace(",", "");
        if (THOUSANDS_SPACED.matcher(s).matches()) return s.replace(" ", "");
        Matcher m = DECIMAL_COMMA.matcher(s);
        if (m.matches()) {
            String whole = m.group(2), fraction = m.group(3);
            if (whole.equals("0") || whole.length() >= 4 || fraction.length() >= 4)
                return m.group(1) + whole + "." + fraction;
        }
        return s;
    }

    private static boolean isFunction(String name) {
        return name.matches("sin|cos|tan|sec|csc|cot|arcsin|arccos|arctan|sinh|cosh|tanh|ln|log|exp");
    }

    private static String stripDelimiters(String s) {
        for (int pass = 0; pass < 2; pass++) {
            if (s.length() >= 4
                    && ((s.startsWith("\\(") && s.endsWith("\\)")) || (s.startsWith("\\[") && s.endsWith("\\]")))) {
                s = s.substring(2, s.length() - 2).strip();
            }
            if (s.length() >= 4 && s.startsWith("$$") && s.endsWith("$$"))
                s = s.substring(2, s.length() - 2).strip();
        }
        return s;
    }

    private static String replaceUnicode(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = switch (c) {
                case '\u2212', '\u2013', '\u2014' -> "-";
                case '\u00d7', '\u00b7', '\u22c5', '\u2219' -> " \\cdot ";
                case '\u00f7' -> " \\div ";
                case '\u03c0' -> " \\pi ";
                case '\u221e' -> " \\infty ";
                case '\u221a' -> "\\sqrt";
                case '\u2264', '\u2a7d' -> " \\le ";
                case '\u2265', '\u2a7e' -> " \\ge ";
                case '\u2260' -> " \\ne ";
                case '\u2248' -> " \\approx ";
                case '\u222a' -> " \\cup ";
                case '\u2205' -> " \\emptyset ";
                case '\u00b0' -> "";
                case '\u00b2' -> "^2";
                case '\u00b3' -> "^3";
                case '\u20ac', '\u00a3', '\u00a5', '\u20b9' -> " ";
                case '\u00a0', '\u2009', '\u202f', '\u2007' -> " ";
                case '\uff0c' -> ",";
                default -> null;
            };
            if (r == null) {
                if (out != null) out.append(c);
                continue;
            }
            if (out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
            out.append(r);
        }
        return out == null ? s : out.toString();
    }

    private static String stripTrailingPunctuation(String s) {
        s = s.strip();
        while (!s.isEmpty()) {
            char last = s.charAt(s.length() - 1);
            if (last == '.' || last == ',' || last == ';' || last == ':') {
                s = s.substring(0, s.length() - 1);
                if (s.endsWith("\\")) s = s.substring(0, s.length() - 1); // "\." and "\,"
                s = s.strip();
            } else {
                break;
            }
        }
        return s;
    }

    private static String collapseSpaces(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                space = true;
                continue;
            }
            if (space && out.length() > 0) out.append(' ');
            space = false;
            out.append(c);
        }
        return out.toString();
    }
}
