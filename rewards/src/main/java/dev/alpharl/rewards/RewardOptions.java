package dev.alpharl.rewards;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, validated reading of one reward's {@code options} map (kebab-case keys, from YAML or the CLI, so numbers
 * may arrive as strings). Unknown keys and wrongly typed values are errors naming the reward, the key and what
 * was expected.
 */
final class RewardOptions {
    private final String reward;
    private final Map<String, Object> raw;

    RewardOptions(String reward, Map<String, Object> raw, Set<String> allowed) {
        this.reward = reward;
        this.raw = raw == null ? Map.of() : raw;
        for (String key : this.raw.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(
                        "reward '" + reward + "': unknown option '" + key + "'; allowed: " + new TreeSet<>(allowed));
            }
        }
    }

    boolean has(String key) {
        return raw.get(key) != null;
    }

    double getDouble(String key, double fallback) {
        Object v = raw.get(key);
        if (v == null) return fallback;
        try {
            double d = v instanceof Number n
                    ? n.doubleValue()
                    : Double.parseDouble(v.toString().strip());
            if (!Double.isFinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw bad(key, v, "a finite number");
        }
    }

    int getInt(String key, int fallback) {
        Object v = raw.get(key);
        if (v == null) return fallback;
        try {
            if (v instanceof Integer || v instanceof Long || v instanceof Short)
                return Math.toIntExact(((Number) v).longValue());
            return Integer.parseInt(v.toString().strip());
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(key, v, "an integer");
        }
    }

    int requireInt(String key) {
        if (!has(key))
            throw new IllegalArgumentException(
                    "reward '" + reward + "': option '" + key + "' is required (an integer)");
        return getInt(key, 0);
    }

    boolean getBoolean(String key, boolean fallback) {
        Object v = raw.get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        String s = v.toString().strip().toLowerCase();
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw bad(key, v, "true or false");
    }

    String getString(String key, String fallback) {
        Object v = raw.get(key);
        return v == null ? fallback : v.toString();
    }

    /** One of {@code allowed} (case-insensitive, '-' and '_' alike), returned lower-case with '_'. */
    String getChoice(String key, String fallback, Set<String> allowed) {
        String v = getString(key, fallback);
        if (v == null) return null;
        String canonical = v.strip().toLowerCase().replace('-', '_');
        if (!allowed.contains(canonical)) throw bad(key, v, "one of " + new TreeSet<>(allowed));
        return canonical;
    }

    /** A list given as a YAML list or a comma-separated string. */
    List<String> getList(String key, List<String> fallback) {
        Object v = raw.get(key);
        if (v == null) return fallback;
        List<String> out = new ArrayList<>();
        if (v instanceof Iterable<?> it) {
            for (Object x : it) out.add(String.valueOf(x).strip());
        } else {
            for (String part : v.toString().split(",")) if (!part.isBlank()) out.add(part.strip());
        }
        if (out.isEmpty()) throw bad(key, v, "a non-empty list");
        return out;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> getMap(String key) {
        Object v = raw.get(key);
        if (v == null) return null;
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw bad(key, v, "a map");
    }

    IllegalArgumentException bad(String key, Object value, String expected) {
        return new IllegalArgumentException(
                "reward '" + reward + "': option '" + key + "' must be " + expected + ", got '" + value + "'");
    }
}
