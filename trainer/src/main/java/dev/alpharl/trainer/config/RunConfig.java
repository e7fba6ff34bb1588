package dev.alpharl.trainer.config;

import java.nio.file.Path;

/**
 * @param name      the run directory's name under {@code output-dir}
 * @param outputDir where run directories are created
 * @param seed      seeds data order, sampling and initialisation
 */
public record RunConfig(
        @Default("run") String name,
        @Default("runs") Path outputDir,
        @Default("42") long seed) {

    public RunConfig {
        InvalidValue.check(
                !name.isBlank() && !name.contains("/") && !name.contains("\\"),
                "name",
                "must be a non-empty directory name without '/', got \"" + name + "\"");
    }

    /** The run directory: {@code output-dir/name}. */
    public Path runDir() {
        return outputDir.resolve(name);
    }
}
