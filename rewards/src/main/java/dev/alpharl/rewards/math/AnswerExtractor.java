package dev.alpharl.rewards.math;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls the final answer out of a completion (ALGORITHMS.md §9): each method finds the LAST occurrence of its
 * marker, since models restate intermediate results before the final one.
 */
public final class AnswerExtractor {
    private AnswerExtractor() {}

    /** The answer forms, tried in the order a reward is configured with. */
    public enum Method {
        /** The last {@code \boxed{…}} or {@code \fbox{…}} (balanced braces), or {@code \boxed 5}. */
        BOXED,
        /** GSM8K: the rest of the line after the last {@code ####}. */
        HASH,
        /** Minerva/DAPO: the last "Answer: X", "The (final) answer is X". */
        ANSWER,
        /** GSM8K "flexible": the last number in the text (e.g. "-1,234.5" or "3/4"). */
        LAST_NUMBER;

        public Optional<String> extract(String text) {
            return switch (this) {
                case BOXED -> lastBoxed(text);
                case HASH -> lastHash(text);
                case ANSWER -> lastAnswerPhrase(text);
                case LAST_NUMBER -> lastNumber(text);
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

    public static Optional<String> lastHash(String text) {
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
}
