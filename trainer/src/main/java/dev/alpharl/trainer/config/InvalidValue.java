package dev.alpharl.trainer.config;

import dev.alpharl.algorithms.Registry;

/**
 * Thrown by a config record's compact constructor for a check that involves several keys. The key is relative to
 * the record that throws ({@code "target-step"}, or {@code "algorithm.overlong.buffer"} from the root record); the
 * binder turns it into a {@link ConfigException} naming the full key and where it was set.
 */
public final class InvalidValue extends RuntimeException {
    private final String key;

    public InvalidValue(String key, String problem) {
        super(problem, null, false, false);
        this.key = key;
    }

    /** Throws unless {@code ok}; {@code problem} completes "KEY ..." (e.g. "must be greater than 1, got 0.5"). */
    public static void check(boolean ok, String key, String problem) {
        if (!ok) {
            throw new InvalidValue(key, problem);
        }
    }

    /** Throws unless {@code name} is null or names an entry of {@code registry}; the error lists the names. */
    public static void checkRegistered(Registry<?> registry, String name, String key) {
        if (name != null && !registry.contains(name)) {
            String hint = Suggestions.nearest(name.trim(), registry.names())
                    .map(s -> " (did you mean " + s + "?)")
                    .orElse("");
            throw new InvalidValue(
                    key, "must be one of " + String.join("|", registry.names()) + ", got \"" + name + "\"" + hint);
        }
    }

    public String key() {
        return key;
    }

    public String problem() {
        return getMessage();
    }
}
