package dev.alpharl.algorithms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Named implementations of one kind (advantage estimators, policy losses, ...), looked up by the name a config
 * gives. Names are case-insensitive and {@code -} and {@code _} are interchangeable, so {@code dr_grpo} and
 * {@code dr-grpo} name the same estimator. Each entry has one canonical name (the first) and optional aliases.
 *
 * @param <T> the kind of implementation
 */
public final class Registry<T> {

    /** A registered implementation with its canonical name. */
    public record Entry<T>(String name, T value) {}

    private final String kind;
    private final Map<String, Entry<T>> byName = new LinkedHashMap<>();
    private final List<Entry<T>> entries = new ArrayList<>();

    public Registry(String kind) {
        this.kind = kind;
    }

    /** Registers {@code value} under {@code name} and its aliases; a name already taken is an error. */
    public synchronized Registry<T> register(T value, String name, String... aliases) {
        Entry<T> entry = new Entry<>(name, value);
        List<String> all = new ArrayList<>(List.of(aliases));
        all.add(0, name);
        for (String n : all) {
            if (byName.containsKey(normalise(n))) {
                throw new IllegalArgumentException(kind + " '" + n + "' is registered already");
            }
        }
        all.forEach(n -> byName.put(normalise(n), entry));
        entries.add(entry);
        return this;
    }

    /** The implementation named {@code name}; an error lists every registered name. */
    public T get(String name) {
        return entry(name).value();
    }

    /** The entry named {@code name} (or one of its aliases). */
    public Entry<T> entry(String name) {
        Entry<T> e = name == null ? null : byName.get(normalise(name));
        if (e == null) {
            throw new IllegalArgumentException(
                    "unknown " + kind + " '" + name + "'; expected one of: " + String.join(", ", names()));
        }
        return e;
    }

    /** The canonical name of a registered implementation. */
    public String nameOf(T value) {
        for (Entry<T> e : entries) {
            if (e.value() == value) {
                return e.name();
            }
        }
        throw new IllegalArgumentException(kind + " " + value + " is not registered");
    }

    public boolean contains(String name) {
        return name != null && byName.containsKey(normalise(name));
    }

    /** Canonical names in registration order. */
    public List<String> names() {
        return entries.stream().map(Entry::name).toList();
    }

    public List<Entry<T>> entries() {
        return Collections.unmodifiableList(entries);
    }

    public String kind() {
        return kind;
    }

    private static String normalise(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
