package dev.alpharl.trainer.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds a config given as a path or as the name of a config in {@code configs/} (with or without {@code .yaml}):
 * first the path itself, then {@code configs/NAME.yaml} under the working directory, then {@code /configs/NAME.yaml}
 * on the class path (the configs bundled in trainer.jar).
 */
public final class ConfigLocator {
    /** The text of a config and a name for it in messages (the path, or "classpath:/configs/NAME.yaml"). */
    public record ConfigText(String source, String text) {}

    private final Path workDir;

    public ConfigLocator(Path workDir) {
        this.workDir = workDir;
    }

    /** A locator relative to the process's working directory. */
    public static ConfigLocator inWorkingDirectory() {
        return new ConfigLocator(Path.of(""));
    }

    public ConfigText locate(String spec) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(workDir.resolve(spec));
        String name = spec.endsWith(".yaml") ? spec.substring(0, spec.length() - ".yaml".length()) : spec;
        boolean bareName = !spec.contains("/") && !spec.contains("\\");
        if (bareName) {
            candidates.add(workDir.resolve("configs").resolve(name + ".yaml"));
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return new ConfigText(candidate.toString(), read(candidate));
            }
        }
        if (bareName) {
            String resource = "/configs/" + name + ".yaml";
            try (InputStream in = ConfigLocator.class.getResourceAsStream(resource)) {
                if (in != null) {
                    return new ConfigText(
                            "classpath:" + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new ConfigException("config not found: " + spec + " (looked for "
                + String.join(", ", candidates.stream().map(Path::toString).toList())
                + (bareName ? ", classpath:/configs/" + name + ".yaml" : "") + ")" + available());
    }

    private String available() {
        Path configs = workDir.resolve("configs");
        if (!Files.isDirectory(configs)) {
            return "";
        }
        try (Stream<Path> files = Files.list(configs)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - 5))
                    .sorted()
                    .toList();
            return names.isEmpty() ? "" : "; configs here: " + String.join(", ", names);
        } catch (IOException e) {
            return "";
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException("cannot read config " + path + ": " + e.getMessage(), e);
        }
    }
}
