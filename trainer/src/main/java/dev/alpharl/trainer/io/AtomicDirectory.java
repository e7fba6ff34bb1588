package dev.alpharl.trainer.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Writes a whole directory so that readers see either the old complete directory or the new complete one, never
 * a half-written one: the content goes to a hidden sibling {@code .NAME.tmp-*}, which is renamed into place when
 * complete. A crash leaves only a temporary sibling, which {@link #isTemporary} recognises and the next write
 * removes.
 */
public final class AtomicDirectory {

    private static final String TMP = ".tmp-";

    /** Fills a directory. */
    @FunctionalInterface
    public interface Writer {
        void writeInto(Path dir) throws IOException;
    }

    private AtomicDirectory() {}

    /** Writes {@code target} through {@code writer}, replacing an existing directory of that name. */
    public static void write(Path target, Writer writer) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        String name = target.getFileName().toString();
        removeLeftovers(parent, name);
        Path tmp = parent.resolve("." + name + TMP + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createDirectory(tmp);
        try {
            writer.writeInto(tmp);
            Path old = null;
            if (Files.exists(target)) {
                old = parent.resolve("." + name + ".old" + TMP + System.nanoTime());
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            if (old != null) {
                deleteRecursively(old);
            }
        } catch (IOException | RuntimeException e) {
            deleteRecursively(tmp);
            throw e;
        }
    }

    /** True for the hidden temporary siblings this class creates (to be ignored when listing checkpoints). */
    public static boolean isTemporary(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(".") && n.contains(TMP);
    }

    private static void removeLeftovers(Path parent, String name) throws IOException {
        try (var siblings = Files.list(parent)) {
            for (Path p : (Iterable<Path>) siblings::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith("." + name + TMP) || n.startsWith("." + name + ".old" + TMP)) {
                    deleteRecursively(p);
                }
            }
        }
    }

    /** Deletes a file or a directory tree if it exists. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
