package dev.alpharl.datasets.source;

import dev.alpharl.datasets.DatasetException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of a config map (YAML/JSON values, or strings from command-line overrides), remembering which keys
 * were read, so that {@link #rejectUnknown()} can name any key nobody asked for. Errors name {@code where.key}.
 */
final class SpecOptions {

    private final Map<String, ?> values;
    private final String where;
    private final Set<String> known = new LinkedHashSet<>();

    SpecOptions(Map<String, ?> values, String where) {
        this.values = values;
        this.where = where;
    }

    String where() {
        return where;
    }

    String requireString(String key) {
        String v = string(key, null);
        if (v == null) {
            throw new DatasetException(where + ": missing required key '" + key + "'");
        }
        return v;
    }

    String string(String key, String fallback) {
        known.add(key);
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new DatasetException(where + "." + key + ": expected a string, got " + v);
    }

    String choice(String key, String fallback, Collection<String> allowed) {
        String v = fallback == null ? requireString(key) : string(key, fallback);
        if (!allowed.contains(v)) {
            throw new DatasetException(where + "." + key + ": unknown value '" + v + "'; expected one of " + allowed);
        }
        return v;
    }

    long longValue(String key, Long fallback) {
        known.add(key);
        Object v = values.get(key);
        if (v == null) {
            if (fallback == null) {
                throw new DatasetException(where + ": missing required key '" + key + "'");
            }
            return fallback;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new DatasetException(where + "." + key + ": expected an integer, got " + v);
    }

    int intValue(String key, Integer fallback, int min, int max) {
        long v = longValue(key, fallback == null ? null : fallback.longValue());
        if (v < min || v > max) {
            throw new DatasetException(
                    where + "." + key + ": expected an integer in [" + min + ", " + max + "], got " + v);
        }
        return (int) v;
    }

    double doubleValue(String key, double fallback) {
        known.add(key);
        Object v = values.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new DatasetException(where + "." + key + ": expected a number, got " + v);
    }

    /** Fails naming the first key that was not read, and the keys that are allowed here. */
    void rejectUnknown() {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new DatasetException(where + ": unknown key '" + key + "'; allowed keys here: " + known);
            }
        }
    }
}
