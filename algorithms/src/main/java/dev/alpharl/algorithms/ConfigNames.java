package dev.alpharl.algorithms;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Looks an enum constant up by its config name, with an error that lists the allowed names. */
final class ConfigNames {
    private ConfigNames() {}

    static <E extends Enum<E>> E parse(Class<E> type, String what, String name, Function<E, String[]> namesOf) {
        String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            for (String n : namesOf.apply(e)) {
                if (n.equals(wanted)) {
                    return e;
                }
            }
        }
        String allowed = Arrays.stream(type.getEnumConstants())
                .map(e -> String.join("|", namesOf.apply(e)))
                .collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown " + what + " '" + name + "'; expected one of: " + allowed);
    }
}
