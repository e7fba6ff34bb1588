package dev.alpharl.datasets.jsonl;

import java.util.Optional;

/**
 * The content of the last {@code \boxed{...}} (or {@code \fbox{...}}) in a LaTeX solution, with nested braces.
 * Escaped braces {@code \{ \}} are literal characters and do not open or close groups. The brace-less form
 * {@code \boxed 5} (used in a few MATH solutions) yields the text up to the next {@code $} or the end.
 */
public final class BoxedAnswer {

    private BoxedAnswer() {
    }

    public static Optional<String> last(String text) {
        int start = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
        if (start < 0) {
            return Optional.empty();
        }
        int i = start + (text.startsWith("\\boxed", start) ? "\\boxed".length() : "\\fbox".length());
        int afterName = i;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i >= text.length() || text.charAt(i) != '{') {
            if (i == afterName) {
                return Optional.empty(); // e.g. "\boxedx": not a \boxed command
            }
            int end = text.indexOf('$', i);
            String bare = text.substring(i, end < 0 ? text.length() : end).trim();
            return bare.isEmpty() ? Optional.empty() : Optional.of(bare);
        }
        int depth = 0;
        for (int j = i; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '\\') {
                j++; // skip the escaped character: \{ and \} are not group delimiters
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return Optional.of(text.substring(i + 1, j));
            }
        }
        return Optional.empty(); // unbalanced
    }
}
