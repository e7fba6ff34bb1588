package dev.alpharl.trainer.config;

import dev.alpharl.trainer.config.ConfigNode.Mapping;
import dev.alpharl.trainer.config.ConfigNode.Scalar;
import dev.alpharl.trainer.config.ConfigNode.Sequence;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line overrides {@code --section.key=value} (or {@code --section.key value}), applied to the YAML tree
 * before binding so that they are converted and validated exactly like YAML values. A numeric segment indexes a
 * list of sections ({@code --rewards.1.weight=0.5}); the index equal to the list's size appends a new element.
 * The value {@code null} clears an optional key; a list value is comma-separated ({@code --optim.betas=0.9,0.95}).
 */
public final class Overrides {
    /** One override: the dotted key split into segments, its value, and the argument as the user wrote it. */
    public record Override(List<String> path, String value, Origin origin) {}

    private Overrides() {}

    /** Parses the arguments that are not options of the command. */
    public static List<Override> parse(List<String> args) {
        List<Override> overrides = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException(
                        "unexpected argument '" + arg + "' (config overrides look like " + "--section.key=value)");
            }
            int equals = arg.indexOf('=');
            String key = arg.substring(2, equals < 0 ? arg.length() : equals);
            String value;
            String written = arg;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                value = args.get(++i);
                written = arg + " " + value;
            } else {
                throw new ConfigException(arg + ": missing value (write " + arg + "=VALUE)");
            }
            if (!key.contains(".")) {
                throw new ConfigException("unknown option " + arg.substring(0, equals < 0 ? arg.length() : equals)
                        + " (config overrides look like --section.key=value)");
            }
            List<String> path = List.of(key.split("\\.", -1));
            if (path.stream().anyMatch(String::isEmpty)) {
                throw new ConfigException(written + ": malformed key '" + key + "'");
            }
            overrides.add(new Override(path, value, new Origin(written)));
        }
        return overrides;
    }

    /** Sets each override's value in {@code root}, creating the sections and list elements on its way. */
    static void apply(List<Override> overrides, Mapping root) {
        for (Override override : overrides) {
            ConfigNode node = root;
            List<String> path = override.path();
            for (int i = 0; i < path.size() - 1; i++) {
                boolean nextIsIndex = path.get(i + 1).chars().allMatch(Character::isDigit);
                node = child(node, path.get(i), nextIsIndex, override, String.join(".", path.subList(0, i + 1)));
            }
            String last = path.get(path.size() - 1);
            Scalar value = new Scalar(override.value().equals("null") ? null : override.value(), override.origin());
            if (node instanceof Mapping mapping) {
                mapping.put(last, override.origin(), value);
            } else {
                Sequence sequence = (Sequence) node;
                int index = index(sequence, last, override, String.join(".", path));
                if (index == sequence.items().size()) {
                    sequence.items().add(value);
                } else {
                    sequence.items().set(index, value);
                }
            }
        }
    }

    /** The node at {@code segment} below {@code node}, created (as a list when the next segment is an index). */
    private static ConfigNode child(
            ConfigNode node, String segment, boolean nextIsIndex, Override override, String key) {
        ConfigNode child;
        if (node instanceof Sequence sequence) {
            int index = index(sequence, segment, override, key);
            if (index == sequence.items().size()) {
                sequence.items().add(container(nextIsIndex, override.origin()));
            }
            child = sequence.items().get(index);
        } else {
            Mapping mapping = (Mapping) node;
            child = mapping.get(segment);
            if (child == null || child instanceof Scalar scalar && scalar.text() == null) {
                child = container(nextIsIndex, override.origin());
                mapping.put(segment, override.origin(), child);
            }
        }
        if (child instanceof Scalar) {
            throw ConfigException.at(override.origin(), key + " is a value, not a section");
        }
        return child;
    }

    private static ConfigNode container(boolean list, Origin origin) {
        return list ? ConfigNode.sequence(origin) : new Mapping(origin);
    }

    private static int index(Sequence sequence, String segment, Override override, String key) {
        int size = sequence.items().size();
        try {
            int index = Integer.parseInt(segment);
            if (index >= 0 && index <= size) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ConfigException.at(
                override.origin(),
                key + ": a list element is addressed by an index from 0 to " + size + " (" + size + " appends)");
    }
}
