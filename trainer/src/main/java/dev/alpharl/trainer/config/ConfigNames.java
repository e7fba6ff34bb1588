package dev.alpharl.trainer.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Names of config keys and enum values, and the list of every dotted key of a config record type. */
final class ConfigNames {
    private ConfigNames() {}

    /** The YAML key of a record component: its {@link Key} or its camelCase name in kebab-case. */
    static String key(RecordComponent component) {
        Key key = component.getAnnotation(Key.class);
        return key != null ? key.value() : kebab(component.getName());
    }

    static String kebab(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The config name of an enum constant: its {@link Key} or its lowercase name. */
    static String enumName(Enum<?> constant) {
        try {
            Key key = constant.getDeclaringClass().getField(constant.name()).getAnnotation(Key.class);
            return key != null ? key.value() : constant.name().toLowerCase(Locale.ROOT);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> enumNames(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants())
                .map(c -> enumName((Enum<?>) c))
                .toList();
    }

    /**
     * Every dotted key reachable from {@code type} through nested sections ("rollout.top-p", "algorithm.kl.coef").
     * Keys inside lists of records are not listed: they need an index.
     */
    static List<String> allKeys(Class<?> type) {
        List<String> keys = new ArrayList<>();
        collect(type, "", keys);
        return keys;
    }

    private static void collect(Class<?> type, String prefix, List<String> keys) {
        for (RecordComponent component : type.getRecordComponents()) {
            String key = prefix + key(component);
            keys.add(key);
            if (component.getType().isRecord()) {
                collect(component.getType(), key + ".", keys);
            }
        }
    }

    /** The element type of {@code List<E>} or value type of {@code Map<String, V>}. */
    static Type typeArgument(Type generic, int index) {
        if (generic instanceof ParameterizedType parameterized) {
            return parameterized.getActualTypeArguments()[index];
        }
        throw new IllegalStateException("config collections need a type argument: " + generic);
    }

    static Class<?> rawType(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType parameterized) {
            return (Class<?>) parameterized.getRawType();
        }
        throw new IllegalStateException("unsupported config type " + type);
    }
}
