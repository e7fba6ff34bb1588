package dev.alpharl.trainer.config;

import dev.alpharl.trainer.config.ConfigNode.Mapping;
import dev.alpharl.trainer.config.ConfigNode.Scalar;
import dev.alpharl.trainer.config.ConfigNode.Sequence;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Binds a {@link ConfigNode} tree to config records: each record component is a key (see {@link ConfigNames}),
 * whose value is converted by the component's type, defaulted by {@link Default}, demanded by {@link Required}
 * and bounded by {@link Range}; checks across keys live in the records' compact constructors ({@link InvalidValue}).
 * Supported types: int, long, double, boolean (and boxed: nullable), String, Path, enums, nested records,
 * {@code List<supported>} (a YAML list or comma-separated text) and {@code Map<String, String>}.
 */
final class RecordBinder {
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private final List<String> allKeys;

    private RecordBinder(Class<?> rootType) {
        this.allKeys = ConfigNames.allKeys(rootType);
    }

    static <R extends Record> R bind(Class<R> type, Mapping root) {
        return type.cast(new RecordBinder(type).bindRecord(type, root, ""));
    }

    private Object bindRecord(Class<?> type, Mapping mapping, String prefix) {
        RecordComponent[] components = type.getRecordComponents();
        List<String> keys = Arrays.stream(components).map(ConfigNames::key).toList();
        for (String key : mapping.keys()) {
            if (!keys.contains(key)) {
                throw unknownKey(prefix, key, keys, mapping.keyOrigin(key));
            }
        }
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            ConfigNode node = mapping.get(keys.get(i));
            String fullKey = prefix + keys.get(i);
            values[i] = node != null
                    ? convert(node, components[i].getGenericType(), fullKey, components[i])
                    : defaultValue(components[i], fullKey, mapping);
        }
        return construct(type, components, values, mapping, prefix);
    }

    private Object defaultValue(RecordComponent component, String key, Mapping parent) {
        Class<?> type = component.getType();
        Default byDefault = component.getAnnotation(Default.class);
        if (component.isAnnotationPresent(Required.class)) {
            throw ConfigException.at(parent.origin(), "missing required key " + key);
        } else if (byDefault != null) {
            return convert(new Scalar(byDefault.value(), Origin.DEFAULT), component.getGenericType(), key, component);
        } else if (type.isRecord()) {
            return bindRecord(type, new Mapping(parent.origin()), key + ".");
        } else if (type == List.class) {
            return List.of();
        } else if (type == Map.class) {
            return Map.of();
        } else if (type.isPrimitive()) {
            throw new IllegalStateException("config key " + key + " is primitive and needs @Default or @Required");
        }
        return null;
    }

    private Object convert(ConfigNode node, Type type, String key, RecordComponent component) {
        Class<?> raw = ConfigNames.rawType(type);
        if (raw.isRecord()) {
            if (node instanceof Mapping mapping) {
                return bindRecord(raw, mapping, key + ".");
            } else if (node instanceof Scalar scalar && scalar.text() == null) { // "section:" with nothing under it
                return bindRecord(raw, new Mapping(node.origin()), key + ".");
            }
            String example = ConfigNames.key(raw.getRecordComponents()[0]);
            throw ConfigException.at(node.origin(), key + " is a section; set its keys, e.g. " + key + "." + example);
        } else if (raw == List.class) {
            return convertList(node, ConfigNames.typeArgument(type, 0), key, component);
        } else if (raw == Map.class) {
            return convertMap(node, key);
        } else if (node instanceof Scalar scalar) {
            Object value = convertScalar(scalar, raw, key);
            checkRange(value, component, key, scalar);
            return value;
        }
        throw ConfigException.at(
                node.origin(),
                key + " expects " + describe(raw) + ", got a " + (node instanceof Mapping ? "mapping" : "list"));
    }

    private List<Object> convertList(ConfigNode node, Type elementType, String key, RecordComponent component) {
        List<ConfigNode> items;
        if (node instanceof Sequence sequence) {
            items = sequence.items();
        } else if (node instanceof Scalar scalar) {
            items = splitCommas(scalar);
        } else {
            throw ConfigException.at(node.origin(), key + " expects a list, got a mapping");
        }
        boolean ofRecords = ConfigNames.rawType(elementType).isRecord();
        List<Object> values = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            values.add(convert(items.get(i), elementType, ofRecords ? key + "." + i : key, component));
        }
        return Collections.unmodifiableList(values);
    }

    /** Command-line text "a,b,c" as a list; YAML null or empty text is the empty list. */
    private static List<ConfigNode> splitCommas(Scalar scalar) {
        if (scalar.text() == null || scalar.text().isBlank()) {
            return List.of();
        }
        return Arrays.stream(scalar.text().split(",", -1))
                .map(part -> (ConfigNode) new Scalar(part.trim(), scalar.origin()))
                .toList();
    }

    private static Map<String, String> convertMap(ConfigNode node, String key) {
        if (node instanceof Scalar scalar && scalar.text() == null) {
            return Map.of();
        }
        if (!(node instanceof Mapping mapping)) {
            throw ConfigException.at(node.origin(), key + " expects a mapping of names to values");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : mapping.keys()) {
            if (!(mapping.get(name) instanceof Scalar scalar) || scalar.text() == null) {
                throw ConfigException.at(mapping.keyOrigin(name), key + "." + name + " expects a single value");
            }
            values.put(name, scalar.text());
        }
        return Collections.unmodifiableMap(values);
    }

    private static Object convertScalar(Scalar scalar, Class<?> type, String key) {
        String text = scalar.text();
        if (text == null) {
            if (type.isPrimitive()) {
                throw wrongType(scalar, type, key);
            }
            return null;
        }
        String trimmed = text.trim();
        if (type == String.class) {
            return text;
        } else if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            try {
                long value = Long.parseLong(trimmed);
                boolean isInt = type == int.class || type == Integer.class;
                if (isInt && value != (int) value) {
                    throw wrongType(scalar, type, key);
                }
                return isInt ? (Object) (int) value : (Object) value;
            } catch (NumberFormatException e) {
                throw wrongType(scalar, type, key);
            }
        } else if (type == double.class || type == Double.class) {
            if (!NUMBER.matcher(trimmed).matches()) {
                throw wrongType(scalar, type, key);
            }
            return Double.parseDouble(trimmed);
        } else if (type == boolean.class || type == Boolean.class) {
            if (trimmed.equalsIgnoreCase("true") || trimmed.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(trimmed);
            }
            throw wrongType(scalar, type, key);
        } else if (type == Path.class) {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw ConfigException.at(scalar.origin(), key + " is not a valid path: " + e.getMessage());
            }
        } else if (type.isEnum()) {
            return convertEnum(scalar, type, key);
        }
        throw new IllegalStateException("unsupported config type " + type + " for " + key);
    }

    private static Object convertEnum(Scalar scalar, Class<?> type, String key) {
        String trimmed = scalar.text().trim();
        for (Object constant : type.getEnumConstants()) {
            if (ConfigNames.enumName((Enum<?>) constant).equalsIgnoreCase(trimmed)) {
                return constant;
            }
        }
        List<String> names = ConfigNames.enumNames(type);
        String hint = Suggestions.nearest(trimmed, names)
                .map(s -> " (did you mean " + s + "?)")
                .orElse("");
        throw ConfigException.at(
                scalar.origin(),
                key + " must be one of " + String.join("|", names) + ", got \"" + scalar.text() + "\"" + hint);
    }

    private static void checkRange(Object value, RecordComponent component, String key, Scalar scalar) {
        Range range = component.getAnnotation(Range.class);
        if (range == null || !(value instanceof Number number)) {
            return;
        }
        double v = number.doubleValue();
        if (v >= range.min() && v <= range.max()) {
            return;
        }
        String bounds;
        if (range.max() == Double.POSITIVE_INFINITY) {
            bounds = "must be >= " + format(range.min());
        } else if (range.min() == Double.NEGATIVE_INFINITY) {
            bounds = "must be <= " + format(range.max());
        } else {
            bounds = "must be between " + format(range.min()) + " and " + format(range.max());
        }
        throw ConfigException.at(
                scalar.origin(), key + " " + bounds + ", got " + scalar.text().trim());
    }

    private static String format(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }

    private static ConfigException wrongType(Scalar scalar, Class<?> type, String key) {
        String given = scalar.text() == null ? "null" : "\"" + scalar.text() + "\"";
        return ConfigException.at(scalar.origin(), key + " expects " + describe(type) + ", got " + given);
    }

    private static String describe(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        } else if (type == double.class || type == Double.class) {
            return "a number";
        } else if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        } else if (type == Path.class) {
            return "a path";
        } else if (type.isEnum()) {
            return "one of " + String.join("|", ConfigNames.enumNames(type));
        }
        return "a string";
    }

    private ConfigException unknownKey(String prefix, String key, List<String> siblings, Origin origin) {
        Optional<String> suggestion = Suggestions.nearest(key, siblings).map(s -> prefix + s);
        if (suggestion.isEmpty()) {
            // the key may belong to another section (--rollout.lr=... → optim.lr); prefer shallower keys
            List<String> byDepth = allKeys.stream()
                    .sorted(Comparator.comparingLong(
                            (String k) -> k.chars().filter(c -> c == '.').count()))
                    .toList();
            List<String> leaves = byDepth.stream()
                    .map(k -> k.substring(k.lastIndexOf('.') + 1))
                    .toList();
            suggestion = Suggestions.nearest(key, leaves).map(leaf -> byDepth.get(leaves.indexOf(leaf)));
        }
        String hint = suggestion
                .map(s -> " (did you mean " + s + "?)")
                .orElse(" (valid keys" + (prefix.isEmpty() ? "" : " in " + prefix.substring(0, prefix.length() - 1))
                        + ": " + String.join(", ", siblings) + ")");
        return ConfigException.at(origin, "unknown key " + prefix + key + hint);
    }

    private static Object construct(
            Class<?> type, RecordComponent[] components, Object[] values, Mapping mapping, String prefix) {
        Class<?>[] parameterTypes =
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(parameterTypes);
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof InvalidValue invalid) {
                throw ConfigException.at(
                        originOf(mapping, invalid.key()), prefix + invalid.key() + " " + invalid.problem());
            } else if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct config record " + type.getName(), e);
        }
    }

    /** Where the value of a dotted key below {@code mapping} was set, or the nearest enclosing section. */
    private static Origin originOf(Mapping mapping, String dottedKey) {
        ConfigNode node = mapping;
        Origin origin = mapping.origin();
        for (String part : dottedKey.split("\\.")) {
            if (!(node instanceof Mapping m) || m.get(part) == null) {
                return origin;
            }
            node = m.get(part);
            origin = node.origin();
        }
        return origin;
    }
}
