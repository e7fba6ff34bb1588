package dev.alpharl.rewards.math;

/** Brace-level helpers over LaTeX text. */
public final class Latex {
    private Latex() {}

    /**
     * Index of the '}' closing the '{' at {@code open}, honouring nesting; −1 if unbalanced. A backslash takes the
     * next character with it, as in TeX: {@code \{ \}} are literal braces, while a '}' right after a line break
     * {@code \\} does close.
     */
    public static int closingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }

    /**
     * Replaces every {@code \command{X}} with {@code X} (X may contain nested braces). A command name is matched
     * whole: unwrapping "\text" leaves "\textbf" alone.
     */
    public static String unwrap(String s, String command) {
        return unwrap(s, command, "", "");
    }

    /** Like {@link #unwrap(String, String)}, keeping the content apart: "5\\text{cm}" → "5 cm ". */
    public static String unwrapSpaced(String s, String command) {
        return unwrap(s, command, " ", " ");
    }

    private static String unwrap(String s, String command, String before, String after) {
        if (!s.contains(command)) return s;
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int at = s.indexOf(command, i);
            if (at < 0) break;
            int end = at + command.length();
            int j = end;
            while (j < s.length() && s.charAt(j) == ' ') j++;
            int close = j < s.length() && s.charAt(j) == '{' ? closingBrace(s, j) : -1;
            boolean wholeName = end >= s.length() || !Character.isLetter(s.charAt(end));
            if (!wholeName || close < 0) {
                out.append(s, i, end);
                i = end;
                continue;
            }
            out.append(s, i, at).append(before).append(s, j + 1, close).append(after);
            i = close + 1;
        }
        return out.append(s.substring(Math.min(i, s.length()))).toString();
    }
}
