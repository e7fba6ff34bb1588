package dev.alpharl.trainer.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The untyped config tree between the YAML text (plus command-line overrides) and the typed records. Every node
 * remembers its {@link Origin} so that errors found while binding can point at the file line or the argument.
 * Scalars keep their text: the binder converts it by the type of the record component it lands in.
 */
public sealed interface ConfigNode {
    Origin origin();

    /** A scalar value; {@code text} is null for a YAML null ({@code ~}, {@code null} or nothing). */
    record Scalar(String text, Origin origin) implements ConfigNode {}

    record Sequence(List<ConfigNode> items, Origin origin) implements ConfigNode {}

    /** A mapping from key to node, in file order, with the origin of each key (for unknown-key errors). */
    final class Mapping implements ConfigNode {
        private final Map<String, ConfigNode> values = new LinkedHashMap<>();
        private final Map<String, Origin> keyOrigins = new LinkedHashMap<>();
        private final Origin origin;

        public Mapping(Origin origin) {
            this.origin = origin;
        }

        @Override
        public Origin origin() {
            return origin;
        }

        public ConfigNode get(String key) {
            return values.get(key);
        }

        public Origin keyOrigin(String key) {
            return keyOrigins.getOrDefault(key, origin);
        }

        public Set<String> keys() {
            return Collections.unmodifiableSet(values.keySet());
        }

        public void put(String key, Origin keyOrigin, ConfigNode value) {
            values.put(key, value);
            keyOrigins.put(key, keyOrigin);
        }
    }

    /** A mutable list node, used only while command-line overrides append elements. */
    static Sequence sequence(Origin origin) {
        return new Sequence(new ArrayList<>(), origin);
    }
}
