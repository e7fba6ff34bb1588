package dev.alpharl.trainer.model;

import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.io.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Models shipped inside trainer.jar under {@code /models/NAME/} (the build copies {@code models/tiny-qwen},
 * {@code models/tiny-qwen-init} and {@code models/reasoning-base} there). A model path {@code builtin:NAME} resolves to a copy extracted once into
 * the cache directory, as {@code models/NAME-<first 12 hex digits of its SHA-256>}: a new jar with other weights
 * gets a new directory, never a stale one. Extraction goes through {@link AtomicDirectory} (a temporary sibling,
 * checked against the digest, renamed into place), so a crash never leaves a partial copy; a copy found in the
 * cache is used only when its digest (names, sizes and bytes of its files) matches the jar's.
 *
 * <p>The cache directory is the system property {@code alpharl.cache-dir}, else {@code $XDG_CACHE_HOME/alpharl-jvm},
 * else {@code ~/.cache/alpharl-jvm}.
 */
public final class BuiltinModels {
    public static final String SCHEME = "builtin:";
    public static final String CACHE_DIR_PROPERTY = "alpharl.cache-dir";

    private static final Logger LOG = LogManager.getLogger(BuiltinModels.class);
    private static final String ROOT = "models";

    private BuiltinModels() {}

    /** Whether {@code path} is written {@code builtin:NAME}. */
    public static boolean isBuiltin(Path path) {
        return path != null && path.toString().startsWith(SCHEME);
    }

    /**
     * {@code path} itself, or for {@code builtin:NAME} the extracted copy in the cache directory. {@code key} names
     * the setting in error messages ("model.path", "--model").
     */
    public static Path resolve(Path path, String key) {
        return isBuiltin(path) ? extract(path.toString().substring(SCHEME.length()), cacheDir(), key) : path;
    }

    /** The cache directory (see the class comment). */
    public static Path cacheDir() {
        String property = System.getProperty(CACHE_DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("alpharl-jvm");
    }

    /** The names of the models in the jar (or in the class-path directory when run from a build tree). */
    public static List<String> names() {
        return withJarRoot(root -> {
            Path models = root.resolve(ROOT);
            if (!Files.isDirectory(models)) {
                return List.of();
            }
            try (Stream<Path> dirs = Files.list(models)) {
                return dirs.filter(Files::isDirectory)
                        .map(BuiltinModels::fileName)
                        .sorted()
                        .toList();
            }
        });
    }

    /** Extracts builtin model {@code name} into {@code cacheDir} unless a verified copy is there; returns its path. */
    static Path extract(String name, Path cacheDir, String key) {
        return withJarRoot(root -> {
            Path source = root.resolve(ROOT).resolve(name);
            if (name.isEmpty() || name.contains("/") || !Files.isRegularFile(source.resolve("config.json"))) {
                throw new UserInputException(key + ": no built-in model named \"" + name
                        + "\" in trainer.jar (built-in: "
                        + String.join(
                                ", ", names().stream().map(n -> SCHEME + n).toList()) + ")");
            }
            String digest = digest(source);
            Path target = cacheDir.resolve(ROOT).resolve(name + "-" + digest.substring(0, 12));
            if (Files.isDirectory(target) && digest(target).equals(digest)) {
                LOG.debug("{}{}: using {}", SCHEME, name, target);
                return target;
            }
            try {
                AtomicDirectory.write(target, dir -> {
                    copyFiles(source, dir);
                    if (!digest(dir).equals(digest)) {
                        throw new IOException("the extracted files do not match trainer.jar's (disk full?)");
                    }
                });
            } catch (IOException e) {
                throw new UserInputException(
                        key + ": cannot extract " + SCHEME + name + " to " + target + ": " + e
                                + " (choose another cache directory with -D" + CACHE_DIR_PROPERTY + "=DIR)",
                        e);
            }
            LOG.info("{}{}: extracted to {}", SCHEME, name, target);
            return target;
        });
    }

    private static void copyFiles(Path from, Path to) throws IOException {
        for (Path file : files(from)) {
            try (InputStream in = Files.newInputStream(file)) {
                Files.copy(in, to.resolve(fileName(file)));
            }
        }
    }

    /** SHA-256 over the directory's regular files in name order: each file's name, size and bytes. */
    static String digest(Path dir) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (Path file : files(dir)) {
                sha.update(fileName(file).getBytes(StandardCharsets.UTF_8));
                sha.update(ByteBuffer.allocate(Long.BYTES)
                        .putLong(Files.size(file))
                        .array());
                try (InputStream in = Files.newInputStream(file)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        sha.update(buffer, 0, n);
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile)
                    .sorted(Comparator.comparing(BuiltinModels::fileName))
                    .toList();
        }
    }

    private static String fileName(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    private interface JarBody<T> {
        T apply(Path root) throws IOException;
    }

    /** Runs {@code body} on the root of the jar (or class-path directory) this class was loaded from. */
    private static <T> T withJarRoot(JarBody<T> body) {
        try {
            Path location = Path.of(BuiltinModels.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isDirectory(location)) {
                return body.apply(location);
            }
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                return body.apply(jar.getPath("/"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
