package dev.alpharl.trainer.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before any work starts, that an output directory can be created and written: a path under a regular file,
 * a read-only parent or a full disk is then a one-line error naming the option or key and the directory (exit code
 * 2), not an internal error once a model is loaded or a run has trained.
 */
public final class OutputDirectories {

    private OutputDirectories() {}

    /**
     * Creates {@code dir} (and its parents) when missing and checks that a file can be written in it.
     *
     * @param what the key or option the directory comes from, e.g. {@code run.output-dir} or {@code --out}
     */
    public static Path requireWritable(Path dir, String what) {
        check(dir, dir, what);
        return dir;
    }

    /**
     * For an output written atomically as a whole ({@code target} is replaced by a sibling renamed into place):
     * creates {@code target}'s parent when missing and checks that it can be written.
     */
    public static Path requireWritableParent(Path target, String what) {
        Path parent = target.toAbsolutePath().normalize().getParent();
        if (parent == null) {
            throw new UserInputException(what + ": " + target + " has no parent directory to write it in");
        }
        check(parent, target, what);
        return target;
    }

    private static void check(Path dir, Path named, String what) {
        String prefix = what + ": cannot write " + named + ": ";
        Path abs = dir.toAbsolutePath().normalize();
        for (Path p = abs; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new UserInputException(prefix + p + " is a file, not a directory");
                }
                break;
            }
        }
        try {
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new UserInputException(prefix + "cannot create directory " + abs + ": " + reason(e), e);
        }
        try {
            Path probe = Files.createTempFile(abs, ".write-check-", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new UserInputException(prefix + abs + " is not writable: " + reason(e), e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }
}
