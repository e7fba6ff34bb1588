package dev.alpharl.rewards;

import dev.alpharl.rewards.math.AnswerExtractor.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The reward registry: builds reward functions by name from option maps (the config's
 * {@code rewards: [{name, weight, options}]} and the CLI's {@code rewards --reward NAME}). Every function it
 * returns runs under {@link GuardedReward} (options {@code timeout-seconds}, default 2, and {@code error-score},
 * default 0, accepted by every reward).
 *
 * <pre>
 * math       style: math|boxed|gsm8k|dapo (defaults below), extract: [boxed, phrase, latex, equals, expression,
 *            hash, answer, last-number], tail-chars, decimals (6, or gold), rel-tol, correct, wrong, answer-field
 *            math:  extract [boxed, phrase, latex, equals, expression], correct 1, wrong 0
 *            boxed: extract [boxed], correct 1, wrong 0
 *            gsm8k: extract [hash, boxed, answer, last-number], rel-tol 1e-4, correct 1, wrong 0
 *            dapo:  extract [answer], tail-chars 300, correct 1, wrong -1
 * format     kind: boxed|think|r1|regex, pattern, match: find|full, hit (1), miss (0)
 * countdown  use-all (false), correct (1), format-score (0.1), numbers-field (numbers), target-field (target)
 * overlong   max-length, buffer (required), penalty-factor (1), base: {name, options} (optional shaped reward)
 * </pre>
 */
public final class Rewards {
    private Rewards() {}

    public static final Set<String> NAMES = new TreeSet<>(Set.of("math", "format", "countdown", "overlong"));

    public static final double DEFAULT_TIMEOUT_SECONDS = 2.0;
    private static final Set<String> COMMON = Set.of("timeout-seconds", "error-score");
    private static final Set<String> SPEC_KEYS = new TreeSet<>(Set.of("name", "weight", "options"));

    /** A guarded reward function by registry name; unknown names and options are errors listing the allowed ones. */
    public static RewardFunction create(String name, Map<String, Object> options) {
        if (name == null || !NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown reward '" + name + "'; allowed: " + NAMES);
        }
        RewardOptions o = new RewardOptions(name, options, allowedOptions(name));
        double timeout = o.getDouble("timeout-seconds", DEFAULT_TIMEOUT_SECONDS);
        if (timeout <= 0) throw o.bad("timeout-seconds", timeout, "positive");
        double errorScore = o.getDouble("error-score", 0.0);
        RewardFunction inner = switch (name) {
            case "math" -> math(o);
            case "format" -> format(o);
            case "countdown" ->
                new CountdownReward(
                        o.getBoolean("use-all", false),
                        o.getDouble("correct", 1.0),
                        o.getDouble("format-score", 0.1),
                        o.getString("numbers-field", "numbers"),
                        o.getString("target-field", "target"));
            case "overlong" -> overlong(o);
            default -> throw new IllegalStateException(name);
        };
        return new GuardedReward(inner, Duration.ofNanos((long) (timeout * 1e9)), errorScore);
    }

    /**
     * The weighted sum of a config's {@code rewards} list: each entry a map with "name", optional "weight"
     * (default 1) and optional "options".
     */
    @SuppressWarnings("unchecked")
    public static RewardFunction compose(List<Map<String, Object>> specs) {
        if (specs == null || specs.isEmpty())
            throw new IllegalArgumentException("rewards: at least one reward is required; allowed names: " + NAMES);
        List<WeightedSum.Term> terms = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Map<String, Object> spec = specs.get(i);
            String where = "rewards[" + i + "]";
            for (String key : spec.keySet()) {
                if (!SPEC_KEYS.contains(key))
                    throw new IllegalArgumentException(where + ": unknown key '" + key + "'; allowed: " + SPEC_KEYS);
            }
            Object name = spec.get("name");
            if (!(name instanceof String))
                throw new IllegalArgumentException(where + ": 'name' is required, one of " + NAMES);
            Object weight = spec.getOrDefault("weight", 1.0);
            double w;
            try {
                w = weight instanceof Number n ? n.doubleValue() : Double.parseDouble(weight.toString());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": 'weight' must be a number, got '" + weight + "'");
            }
            Object options = spec.get("options");
            if (options != null && !(options instanceof Map))
                throw new IllegalArgumentException(where + ": 'options' must be a map, got '" + options + "'");
            try {
                terms.add(new WeightedSum.Term(create((String) name, (Map<String, Object>) options), w));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return new WeightedSum(terms);
    }

    /**
     * Scores one input record (a parsed JSONL line) with fields "completion" (required), "prompt" (optional) and
     * the sample's gold fields ("answer", "numbers", "target", "completion_tokens"…). JSON stays with the caller.
     */
    public static RewardResult scoreRecord(RewardFunction reward, Map<String, Object> record) {
        Object completion = record.get("completion");
        if (!(completion instanceof String c)) {
            throw new IllegalArgumentException(
                    "input record needs a string field 'completion'; it has " + new TreeSet<>(record.keySet()));
        }
        Object prompt = record.getOrDefault("prompt", "");
        Map<String, Object> fields = new HashMap<>(record);
        fields.remove("completion");
        fields.remove("prompt");
        return reward.score(prompt == null ? "" : prompt.toString(), c, fields);
    }

    private static Set<String> allowedOptions(String name) {
        Set<String> specific = switch (name) {
            case "math" ->
                Set.of("style", "extract", "tail-chars", "decimals", "rel-tol", "correct", "wrong", "answer-field");
            case "format" -> Set.of("kind", "pattern", "match", "hit", "miss");
            case "countdown" -> Set.of("use-all", "correct", "format-score", "numbers-field", "target-field");
            case "overlong" -> Set.of("max-length", "buffer", "penalty-factor", "base");
            default -> Set.of();
        };
        Set<String> all = new TreeSet<>(specific);
        all.addAll(COMMON);
        return all;
    }

    private static RewardFunction math(RewardOptions o) {
        MathAnswerReward.Config base = switch (o.getChoice("style", "math", Set.of("math", "boxed", "gsm8k", "dapo"))) {
            case "boxed" -> MathAnswerReward.Config.boxed();
            case "gsm8k" -> MathAnswerReward.Config.gsm8k();
            case "dapo" -> MathAnswerReward.Config.dapo();
            default -> MathAnswerReward.Config.math();
        };
        List<Method> extract = base.extract();
        if (o.has("extract")) {
            extract = new ArrayList<>();
            Set<String> names = new TreeSet<>();
            for (Method m : Method.values()) names.add(m.optionName());
            for (String m : o.getList("extract", List.of())) {
                String c = m.strip().toLowerCase().replace('_', '-');
                if (!names.contains(c)) throw o.bad("extract", m, "a list of " + names);
                extract.add(Method.valueOf(c.replace('-', '_').toUpperCase()));
            }
        }
        double relTol = o.getDouble("rel-tol", base.relTol());
        if (relTol < 0 || relTol >= 1) throw o.bad("rel-tol", relTol, "in [0, 1) (0: round to 'decimals' places)");
        boolean goldDecimals =
                "gold".equalsIgnoreCase(o.getString("decimals", "").strip());
        int decimals = goldDecimals ? MathAnswerReward.GOLD_DECIMALS : o.getInt("decimals", base.decimals());
        if (!goldDecimals && (decimals < 0 || decimals > 15))
            throw o.bad("decimals", decimals, "an integer in [0, 15] or 'gold'");
        return new MathAnswerReward(new MathAnswerReward.Config(
                extract,
                o.getInt("tail-chars", base.tailChars()),
                relTol,
                decimals,
                o.getDouble("correct", base.correct()),
                o.getDouble("wrong", base.wrong()),
                o.getString("answer-field", base.answerField())));
    }

    private static RewardFunction format(RewardOptions o) {
        FormatReward.Kind kind =
                FormatReward.Kind.valueOf(o.getChoice("kind", "boxed", Set.of("boxed", "think", "r1", "regex"))
                        .toUpperCase());
        Pattern pattern = null;
        if (o.has("pattern")) {
            try {
                pattern = Pattern.compile(o.getString("pattern", null), Pattern.DOTALL);
            } catch (PatternSyntaxException e) {
                throw o.bad(
                        "pattern",
                        o.getString("pattern", null),
                        "a valid regular expression (" + e.getDescription() + ")");
            }
            if (kind != FormatReward.Kind.REGEX)
                throw o.bad("pattern", o.getString("pattern", null), "used only with kind: regex");
        }
        boolean full = o.getChoice("match", "find", Set.of("find", "full")).equals("full");
        return new FormatReward(kind, pattern, full, o.getDouble("hit", 1.0), o.getDouble("miss", 0.0));
    }

    @SuppressWarnings("unchecked")
    private static RewardFunction overlong(RewardOptions o) {
        RewardFunction base = null;
        Map<String, Object> baseSpec = o.getMap("base");
        if (baseSpec != null) {
            for (String key : baseSpec.keySet()) {
                if (!key.equals("name") && !key.equals("options"))
                    throw o.bad(
                            "base", baseSpec, "a map with 'name' and optional 'options' (unknown key '" + key + "')");
            }
            Object name = baseSpec.get("name");
            Object options = baseSpec.get("options");
            if (!(name instanceof String) || (options != null && !(options instanceof Map))) {
                throw o.bad("base", baseSpec, "a map with 'name' (one of " + NAMES + ") and optional 'options' map");
            }
            base = create((String) name, (Map<String, Object>) options);
        }
        return new OverlongReward(
                base, o.requireInt("max-length"), o.requireInt("buffer"), o.getDouble("penalty-factor", 1.0));
    }
}
