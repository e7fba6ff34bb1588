package dev.alpharl.rewards.math;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls candidate final answers out of a completion. Every method looks for the LAST occurrence of its form,
 * since models restate intermediate results before the final one, and every scan is linear in the text (a
 * megabyte of digits or ten thousand nested braces costs milliseconds).
 *
 * <p>The legacy methods ({@link Method#BOXED}, {@link Method#HASH}, {@link Method#ANSWER},
 * {@link Method#LAST_NUMBER}) give one candidate and the first one found is the answer. The flexible methods
 * ({@link Method#PHRASE}, {@link Method#LATEX}, {@link Method#EQUALS}, {@link Method#EXPRESSION}) give a few
 * candidates, best first, and the reward takes the first one that parses as mathematics.
 */
public final class AnswerExtractor {
    private AnswerExtractor() {}

    /** The answer forms, tried in the order a reward is configured with. */
    public enum Method {
        /** The last {@code \boxed{…}} or {@code \fbox{…}} (balanced braces), or {@code \boxed 5}. */
        BOXED(true),
        /** GSM8K: the rest of the line after the last {@code ####}. */
        HASH(true),
        /** Minerva/DAPO: the last "Answer: X", "The (final) answer is X". */
        ANSWER(true),
        /** GSM8K "flexible": the last number in the text (e.g. "-1,234.5" or "3/4"). */
        LAST_NUMBER(true),
        /**
         * A final-answer phrase: "The final answer is X", "the answer is X", "Answer: X", "#### X", the last
         * first; X is what follows on the line (or the next line after a heading "Final Answer"), its first math
         * span, or its first number.
         */
        PHRASE(false),
        /** The last LaTeX math span: {@code $…$}, {@code $$…$$}, {@code \(…\)}, {@code \[…\]}. */
        LATEX(false),
        /** What follows the last '=' on the last non-empty line ("so x = 1,000.99"). */
        EQUALS(false),
        /** The last plain number (with separators, decimals, a fraction bar, percent) or bare LaTeX expression. */
        EXPRESSION(false);

        private final boolean firstFoundWins;

        Method(boolean firstFoundWins) {
            this.firstFoundWins = firstFoundWins;
        }

        /** True when the first candidate found is the answer even if it does not parse. */
        public boolean firstFoundWins() {
            return firstFoundWins;
        }

        /** The option name: lower case with '-' ("last-number"). */
        public String optionName() {
            return name().toLowerCase().replace('_', '-');
        }

        /** Candidates, best first (at most a handful). */
        public List<String> candidates(String text) {
            return switch (this) {
                case BOXED -> lastBoxed(text).map(List::of).orElse(List.of());
                case HASH -> lastHash(text).map(List::of).orElse(List.of());
                case ANSWER -> lastAnswerPhrase(text).map(List::of).orElse(List.of());
                case LAST_NUMBER -> lastNumber(text).map(List::of).orElse(List.of());
                case PHRASE -> phraseCandidates(text);
                case LATEX -> latexCandidates(text);
                case EQUALS -> lastLineEquals(text).map(List::of).orElse(List.of());
                case EXPRESSION -> expressionCandidates(text);
            };
        }
    }

    private static final Pattern BOX = Pattern.compile("\\\\(?:boxed|fbox)(?![a-zA-Z])");
    private static final Pattern HASH = Pattern.compile("####[ \\t]*([^\\n]*)");
    private static final Pattern ANSWER =
            Pattern.compile("(?i)(?:answer\\s*(?:is)?\\s*[:：]|the\\s+(?:final\\s+)?answer\\s+is\\b:?)[ \\t]*([^\\n]*)");
    private static final Pattern NUMBER =
            Pattern.compile("-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:/\\d+)?|-?\\.\\d+");

    /** How many trailing boxes are tried when the last ones are unbalanced (bounds the work on junk input). */
    private static final int MAX_BOX_ATTEMPTS = 20;
    /** Candidates per flexible method. */
    private static final int MAX_CANDIDATES = 6;
    /** Characters of a phrase's line that are read. */
    private static final int PHRASE_WINDOW = 300;
    /** A phrase further than this from the end only counts when what follows it parses as a whole. */
    private static final int WEAK_PHRASE_REACH = 400;

    // ---- boxes ----------------------------------------------------------------------------------------------------

    /**
     * A completion's boxed answer: the content of the last box that parses (an unclosed or empty last box falls
     * back to the one before it, as a model may abandon a box and restate).
     */
    public static Optional<String> lastBoxed(String text) {
        List<Integer> ends = boxCommandEnds(text);
        for (int i = ends.size() - 1; i >= Math.max(0, ends.size() - MAX_BOX_ATTEMPTS); i--) {
            Optional<String> content = boxContent(text, ends.get(i));
            if (content.isPresent()) return content;
        }
        return Optional.empty();
    }

    /** The contents of the last {@code n} complete boxes, in order (fewer when there are fewer). */
    public static List<String> lastBoxes(String text, int n) {
        List<Integer> ends = boxCommandEnds(text);
        List<String> out = new ArrayList<>();
        for (int i = ends.size() - 1; i >= 0 && out.size() < n && ends.size() - i <= MAX_BOX_ATTEMPTS; i--)
            boxContent(text, ends.get(i)).ifPresent(c -> out.add(0, c));
        return out;
    }

    /**
     * A reference solution's answer: the content of its very last box, or empty when that box is unclosed or
     * empty. Unlike {@link #lastBoxed} it never falls back to an earlier box, which in a solution is an
     * intermediate result, not the answer.
     */
    public static Optional<String> finalBoxed(String text) {
        List<Integer> ends = boxCommandEnds(text);
        return ends.isEmpty() ? Optional.empty() : boxContent(text, ends.get(ends.size() - 1));
    }

    private static List<Integer> boxCommandEnds(String text) {
        List<Integer> ends = new ArrayList<>();
        if (text.indexOf("\\boxed") < 0 && text.indexOf("\\fbox") < 0) return ends;
        Matcher m = BOX.matcher(text);
        while (m.find()) ends.add(m.end());
        return ends;
    }

    private static Optional<String> boxContent(String text, int afterCommand) {
        int i = afterCommand;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        if (i >= text.length()) return Optional.empty();
        if (text.charAt(i) == '{') {
            int close = Latex.closingBrace(text, i);
            if (close < 0) return Optional.empty();
            String inner = text.substring(i + 1, close).strip();
            return inner.isEmpty() ? Optional.empty() : Optional.of(inner);
        }
        if (i == afterCommand)
            return Optional.of(text.substring(i, i + 1)); // "\boxed5": a one-token argument, as in TeX
        int j = i;
        while (j < text.length() && !Character.isWhitespace(text.charAt(j)) && text.charAt(j) != '$') j++;
        return Optional.of(text.substring(i, j));
    }

    // ---- legacy phrases and numbers -------------------------------------------------------------------------------

    public static Optional<String> lastHash(String text) {
        if (text.indexOf("####") < 0) return Optional.empty();
        return lastGroup(HASH, text);
    }

    /** A sentence break after the answer ("… is $5$. I hope it is correct.") ends the answer. */
    private static final Pattern SENTENCE_END = Pattern.compile("\\.\\s+[A-Z]");

    public static Optional<String> lastAnswerPhrase(String text) {
        return lastGroup(ANSWER, text).map(a -> {
            Matcher end = SENTENCE_END.matcher(a);
            return end.find() ? a.substring(0, end.start()) : a;
        });
    }

    public static Optional<String> lastNumber(String text) {
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) last = m.group();
        return Optional.ofNullable(last);
    }

    /** The group of the match that starts last; overlapping matches count ("Answer: The answer is 5"). */
    private static Optional<String> lastGroup(Pattern p, String text) {
        Matcher m = p.matcher(text);
        String last = null;
        int from = 0;
        while (from <= text.length() && m.find(from)) {
            if (!m.group(1).isBlank()) last = m.group(1).strip();
            from = m.start() + 1;
        }
        return Optional.ofNullable(last);
    }

    // ---- final-answer phrases -------------------------------------------------------------------------------------

    private static final Pattern PHRASE_MARKER = Pattern.compile("(?i)answer|####");
    private static final Pattern PERCENT_AFTER = Pattern.compile("^\\s*(?:\\\\?%|(?i:percent|pct)\\b)");

    /**
     * For the last few final-answer phrases (last first): the math span or box that opens what follows, that
     * text up to the end of its sentence, its first math span and its first number.
     */
    static List<String> phraseCandidates(String text) {
        List<Integer> markers = new ArrayList<>();
        Matcher m = PHRASE_MARKER.matcher(text);
        while (m.find()) {
            int after = phraseEnd(text, m.start(), m.end());
            if (after < 0) continue;
            markers.add(after);
        }
        List<String> out = new ArrayList<>();
        for (int k = markers.size() - 1; k >= 0 && k >= markers.size() - 4 && out.size() < MAX_CANDIDATES; k--) {
            String content = phraseContent(text, markers.get(k));
            if (content.isBlank()) continue;
            List<Span> spans = spans(content, 4);
            Optional<String> box = lastBoxed(content);
            String lead = content.stripLeading();
            if (lead.startsWith("\\boxed") || lead.startsWith("\\fbox")) box.ifPresent(out::add);
            if (!spans.isEmpty() && content.substring(0, spans.get(0).start()).isBlank())
                out.add(spans.get(0).contentWithPercent(content));
            out.add(sentence(content));
            // a math span or number inside a longer sentence is a weaker reading: only near the end of the text
            // ("To get the answer: compute 5 × 3 = 15 …" early on is not a final answer)
            if (text.length() - markers.get(k) <= WEAK_PHRASE_REACH) {
                if (!spans.isEmpty()) out.add(spans.get(0).contentWithPercent(content));
                firstNumber(content).ifPresent(out::add);
            }
        }
        return dedupe(out);
    }

    /**
     * Where the answer starts after a marker ("answer" must be a whole word followed by ':', '=', "is", or end
     * the line as a heading; "####" always counts), or −1 when the marker is not a final-answer phrase.
     */
    private static int phraseEnd(String text, int start, int end) {
        if (text.charAt(start) == '#') return end;
        if (start > 0 && Character.isLetter(text.charAt(start - 1))) return -1;
        if (end < text.length() && Character.isLetter(text.charAt(end))) return -1; // "answers", "answered"
        int i = end;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '*' || text.charAt(i) == '\t')) i++;
        if (i >= text.length()) return -1;
        char c = text.charAt(i);
        if (c == ':' || c == '：' || c == '=') return i + 1;
        if (text.startsWith("is", i) && (i + 2 >= text.length() || !Character.isLetter(text.charAt(i + 2)))) {
            int j = i + 2;
            while (j < text.length() && (text.charAt(j) == ' ' || text.charAt(j) == '*')) j++;
            if (j < text.length() && (text.charAt(j) == ':' || text.charAt(j) == '：')) j++;
            return j;
        }
        if (c == '\n') {
            // a heading such as "**Final Answer**" followed by the answer on the next line
            int lineStart = text.lastIndexOf('\n', start) + 1;
            String before = text.substring(lineStart, start)
                    .replace("*", "")
                    .replace("#", "")
                    .strip();
            return before.isEmpty() || before.equalsIgnoreCase("final") ? i : -1;
        }
        return -1;
    }

    /** The rest of the marker's line; when that is blank, the next non-blank line. */
    private static String phraseContent(String text, int from) {
        int lineEnd = text.indexOf('\n', from);
        String line = text.substring(from, lineEnd < 0 ? text.length() : lineEnd);
        if (line.replace("*", "").isBlank() && lineEnd >= 0) {
            int i = lineEnd;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
            int next = text.indexOf('\n', i);
            line = text.substring(i, next < 0 ? text.length() : next);
        }
        if (line.length() > PHRASE_WINDOW) line = line.substring(0, PHRASE_WINDOW);
        return line.replace("**", " ").strip();
    }

    private static final Pattern SENTENCE_STOP = Pattern.compile("\\.\\s+[A-Z]|\\s+I hope|[.;]\\s*$|\\.\\s+(?=\\()");

    private static String sentence(String content) {
        Matcher stop = SENTENCE_STOP.matcher(content);
        String s = stop.find() ? content.substring(0, stop.start()) : content;
        return s.strip();
    }

    // ---- LaTeX math spans -----------------------------------------------------------------------------------------

    /** A math span: its delimiters are at [start, end), its content at [contentStart, contentEnd). */
    record Span(int start, int end, int contentStart, int contentEnd) {
        String content(String text) {
            return text.substring(contentStart, contentEnd).strip();
        }

        /** The content, with " %" appended when a percent sign or word follows the span ("$28$ %"). */
        String contentWithPercent(String text) {
            String c = content(text);
            int to = Math.min(text.length(), end + 16);
            return PERCENT_AFTER.matcher(text.substring(end, to)).find() ? c + " %" : c;
        }
    }

    private static final Pattern JOINER =
            Pattern.compile("^\\s*(?:,|,?\\s*(?:and|or)\\b|\\\\text\\{\\s*(?:and|or)\\s*})\\s*$");

    /**
     * The last span joined with the spans before it when only commas, "and" or "or" separate them ("$x = 2$ or
     * $x = 3$"), then the last spans one by one, last first.
     */
    static List<String> latexCandidates(String text) {
        List<Span> spans = spans(text, MAX_CANDIDATES + 2);
        List<String> out = new ArrayList<>();
        if (spans.isEmpty()) return out;
        int n = spans.size();
        int first = n - 1;
        while (first > 0 && n - first < MAX_CANDIDATES && joined(text, spans.get(first - 1), spans.get(first))) first--;
        if (first < n - 1) {
            StringBuilder joined = new StringBuilder();
            for (int i = first; i < n; i++) {
                if (i > first) joined.append(", ");
                joined.append(spans.get(i).contentWithPercent(text));
            }
            out.add(joined.toString());
        }
        for (int i = n - 1; i >= 0 && out.size() < MAX_CANDIDATES; i--)
            out.add(spans.get(i).contentWithPercent(text));
        return dedupe(out);
    }

    /** True when only a comma, "and" or "or" stands between two spans. */
    private static boolean joined(String text, Span before, Span after) {
        int gap = after.start() - before.end();
        return gap >= 0
                && gap <= 24
                && JOINER.matcher(text.substring(before.end(), after.start())).matches();
    }

    /**
     * The last {@code keep} math spans of the text, in order, in one linear scan: {@code $$…$$}, {@code \[…\]}
     * and {@code \(…\)} may span lines; {@code $…$} stays on one line, does not open right after a digit
     * ("costs 5$") nor close right before one ("$5 and $10" are prices), and "$5 per hour and $" (a digit first,
     * a space last) is prose between prices, not math; {@code \$} is a dollar sign.
     */
    static List<Span> spans(String text, int keep) {
        java.util.ArrayDeque<Span> last = new java.util.ArrayDeque<>();
        int n = text.length();
        boolean noDisplayClose = false, noBracketClose = false, noParenClose = false;
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            Span found = null;
            if (c == '\\' && i + 1 < n) {
                char d = text.charAt(i + 1);
                if ((d == '[' && !noBracketClose) || (d == '(' && !noParenClose)) {
                    int close = text.indexOf(d == '[' ? "\\]" : "\\)", i + 2);
                    if (close < 0) {
                        if (d == '[') noBracketClose = true;
                        else noParenClose = true;
                    } else {
                        found = new Span(i, close + 2, i + 2, close);
                    }
                }
                if (found == null) {
                    i += 2; // an escaped character, "\$" included
                    continue;
                }
            } else if (c == '$') {
                if (i + 1 < n && text.charAt(i + 1) == '$') {
                    int close = noDisplayClose ? -1 : text.indexOf("$$", i + 2);
                    if (close < 0) {
                        noDisplayClose = true;
                        i += 2;
                        continue;
                    }
                    found = new Span(i, close + 2, i + 2, close);
                } else if (i == 0 || !Character.isDigit(text.charAt(i - 1))) {
                    int close = inlineClose(text, i + 1);
                    if (close < 0) {
                        int lineEnd = text.indexOf('\n', i);
                        i = lineEnd < 0 ? n : lineEnd; // no closing '$' on this line
                        continue;
                    }
                    if (isDigit(text, i + 1) && Character.isWhitespace(text.charAt(close - 1))) {
                        i++; // "$5 and $x$": a price, then prose; the second '$' may open a real span
                        continue;
                    }
                    found = new Span(i, close + 1, i + 1, close);
                }
            }
            if (found == null) {
                i++;
                continue;
            }
            if (found.contentEnd() > found.contentStart()) {
                last.addLast(found);
                if (last.size() > keep) last.removeFirst();
            }
            i = found.end();
        }
        return new ArrayList<>(last);
    }

    /**
     * The next unescaped '$' on the same line that is not a price ("$10": a '$' right before a digit opens an
     * amount, it does not close math), or −1.
     */
    private static int inlineClose(String text, int from) {
        for (int j = from; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '\n') return -1;
            if (c == '\\') {
                j++;
                continue;
            }
            if (c == '$' && !isDigit(text, j + 1)) return j;
        }
        return -1;
    }

    private static boolean isDigit(String text, int i) {
        return i < text.length() && Character.isDigit(text.charAt(i));
    }

    // ---- "= X" at the end --------------------------------------------------------------------------------------

    /** What follows the last '=' (not '==', '&lt;=', '&gt;=', '!=') of the last non-blank line. */
    static Optional<String> lastLineEquals(String text) {
        int end = text.length();
        while (end > 0 && Character.isWhitespace(text.charAt(end - 1))) end--;
        if (end == 0) return Optional.empty();
        int start = text.lastIndexOf('\n', end - 1) + 1;
        String line = text.substring(start, end);
        for (int i = line.length() - 1; i >= 0; i--) {
            if (line.charAt(i) != '=') continue;
            char before = i > 0 ? line.charAt(i - 1) : ' ';
            char after = i + 1 < line.length() ? line.charAt(i + 1) : ' ';
            if (before == '=' || before == '<' || before == '>' || before == '!' || after == '=') continue;
            String rhs = line.substring(i + 1).strip();
            return rhs.isEmpty() ? Optional.empty() : Optional.of(rhs);
        }
        return Optional.empty();
    }

    // ---- last plain number or bare expression -----------------------------------------------------------------

    /**
     * A number token: sign, digits with thousands separators or a decimal comma, decimals, an exponent (1.5e3,
     * 2^4), a fraction bar, percent.
     */
    private static final Pattern NUMBER_TOKEN = Pattern.compile("(?:(?<![\\w)])[-−])?(?<![\\w.])"
            + "(?:\\d{1,3}(?:(?:,|\\\\,|\\{,}| )\\d{3})+(?![\\d])|\\d+)(?:[.,]\\d+)?(?:[eE][-+]?\\d+(?![\\w]))?"
            + "(?:\\^\\{?-?\\d+}?)?(?:/\\d+(?:\\.\\d+)?)?(?:\\s*(?:\\\\?%|(?i:percent|pct)\\b))?"
            + "|(?:(?<![\\w)])[-−])?(?<![\\w.])\\.\\d+(?:\\s*(?:\\\\?%|(?i:percent|pct)\\b))?");

    private static final int NUMBER_WINDOW = 120;
    private static final String[] BARE_COMMANDS = {"\\frac", "\\dfrac", "\\tfrac", "\\sqrt", "\\pi", "√", "π"};

    /** The last number token and the last bare LaTeX expression ("\frac{1}{3}", "2\sqrt3"), the later-ending first. */
    static List<String> expressionCandidates(String text) {
        int[] numberSpan = lastNumberToken(text);
        int[] bareSpan = lastBareExpression(text);
        List<String> out = new ArrayList<>();
        String number = numberSpan == null ? null : text.substring(numberSpan[0], numberSpan[1]);
        String bare = bareSpan == null ? null : text.substring(bareSpan[0], bareSpan[1]);
        if (bare != null && (numberSpan == null || bareSpan[1] >= numberSpan[1])) {
            out.add(bare);
            if (number != null) out.add(number);
        } else {
            if (number != null) out.add(number);
            if (bare != null) out.add(bare);
        }
        return out;
    }

    /** [start, end) of the last number token, found by matching a window that ends after the last digit. */
    private static int[] lastNumberToken(String text) {
        int last = text.length() - 1;
        while (last >= 0 && !Character.isDigit(text.charAt(last))) last--;
        if (last < 0) return null;
        int runStart = last;
        while (runStart > 0 && Character.isDigit(text.charAt(runStart - 1))) runStart--;
        if (last - runStart > NUMBER_WINDOW)
            return new int[] {runStart, last + 1}; // absurdly long: the caller rejects it
        int windowStart = Math.max(0, runStart - NUMBER_WINDOW);
        int windowEnd = Math.min(text.length(), last + 12);
        Matcher m = NUMBER_TOKEN.matcher(text).region(windowStart, windowEnd);
        m.useTransparentBounds(true);
        int[] found = null;
        while (m.find()) found = new int[] {m.start(), m.end()};
        return found;
    }

    /** [start, end) of the whitespace-delimited run (braces balanced) around the last bare fraction, root or π. */
    private static int[] lastBareExpression(String text) {
        int at = -1;
        for (String c : BARE_COMMANDS) at = Math.max(at, text.lastIndexOf(c));
        if (at < 0) return null;
        int start = at;
        while (start > 0 && !Character.isWhitespace(text.charAt(start - 1)) && text.charAt(start - 1) != '$') start--;
        int end = at;
        int depth = 0;
        while (end < text.length()) {
            char c = text.charAt(end);
            if (c == '{') depth++;
            else if (c == '}') depth--;
            else if (depth <= 0 && (Character.isWhitespace(c) || c == '$')) break;
            if (depth < 0) break;
            end++;
        }
        while (end > start && ".,;:".indexOf(text.charAt(end - 1)) >= 0) end--;
        return end > start ? new int[] {start, end} : null;
    }

    private static Optional<String> firstNumber(String content) {
        Matcher m = NUMBER_TOKEN.matcher(content);
        return m.find() ? Optional.of(m.group()) : Optional.empty();
    }

    private static List<String> dedupe(List<String> in) {
        List<String> out = new ArrayList<>();
        for (String s : in) if (!s.isBlank() && !out.contains(s)) out.add(s);
        return out;
    }
}
