package dev.alpharl.rewards;

import dev.alpharl.rewards.math.AnswerExtractor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Scores {@code hit} when the completion has the required shape, else {@code miss}. Kinds:
 * <ul>
 *   <li>boxed: a non-empty, balanced \boxed{…} is present;</li>
 *   <li>think: Qwen3/R1 reasoning is well formed: exactly one {@code </think>}, at most one {@code <think>}
 *       which opens the completion (or ends the prompt, when the template opens it), and text after
 *       {@code </think>};</li>
 *   <li>r1: the whole completion is {@code <think>…</think><answer>…</answer>} (open-r1 / TinyZero format);</li>
 *   <li>regex: a user pattern, found anywhere or matching the whole completion (DOTALL).</li>
 * </ul>
 */
public final class FormatReward implements RewardFunction {

    public enum Kind {
        BOXED,
        THINK,
        R1,
        REGEX
    }

    private static final Pattern R1 =
            Pattern.compile("\\s*<think>.*?</think>\\s*<answer>.*?</answer>\\s*", Pattern.DOTALL);
    private static final String OPEN = "<think>", CLOSE = "</think>";

    private final Kind kind;
    private final Pattern pattern;
    private final boolean fullMatch;
    private final double hit;
    private final double miss;

    /** @param pattern required for REGEX, ignored otherwise */
    public FormatReward(Kind kind, Pattern pattern, boolean fullMatch, double hit, double miss) {
        if (kind == Kind.REGEX && pattern == null)
            throw new IllegalArgumentException("format reward kind 'regex' needs a 'pattern'");
        this.kind = kind;
        this.pattern = pattern;
        this.fullMatch = fullMatch;
        this.hit = hit;
        this.miss = miss;
    }

    @Override
    public String name() {
        return "format";
    }

    @Override
    public RewardResult score(String prompt, String completion, Map<String, Object> fields) {
        String problem = switch (kind) {
            case BOXED -> AnswerExtractor.lastBoxed(completion).isPresent() ? null : "no \\boxed{} answer";
            case THINK -> thinkProblem(prompt, completion);
            case R1 ->
                R1.matcher(openedByPrompt(prompt) ? OPEN + completion : completion)
                                .matches()
                        ? null
                        : "not <think>…</think><answer>…</answer>";
            case REGEX ->
                (fullMatch
                                ? pattern.matcher(completion).matches()
                                : pattern.matcher(completion).find())
                        ? null
                        : "does not match /" + pattern.pattern() + "/";
        };
        Map<String, Object> diagnostics = new LinkedHashMap<>();
        diagnostics.put("format_ok", problem == null);
        if (problem != null) diagnostics.put("format_problem", problem);
        return RewardResult.of(problem == null ? hit : miss, diagnostics);
    }

    private static boolean openedByPrompt(String prompt) {
        return prompt != null && prompt.stripTrailing().endsWith(OPEN);
    }

    private static String thinkProblem(String prompt, String completion) {
        int opens = count(completion, OPEN), closes = count(completion, CLOSE);
        if (closes != 1) return "expected exactly one " + CLOSE + ", found " + closes;
        if (opens > 1) return "more than one " + OPEN;
        if (opens == 1 && !completion.stripLeading().startsWith(OPEN)) return OPEN + " does not open the completion";
        if (opens == 0 && !openedByPrompt(prompt))
            return "no " + OPEN + " in the completion or at the end of the prompt";
        if (completion.substring(completion.indexOf(CLOSE) + CLOSE.length()).isBlank()) return "nothing after " + CLOSE;
        return null;
    }

    private static int count(String s, String token) {
        int n = 0;
        for (int i = s.indexOf(token); i >= 0; i = s.indexOf(token, i + token.length())) n++;
        return n;
    }
}
