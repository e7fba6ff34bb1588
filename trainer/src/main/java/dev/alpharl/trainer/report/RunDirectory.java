package dev.alpharl.trainer.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A run directory as {@code compare} reads it: metrics.jsonl (required) and summary.json (optional). */
public record RunDirectory(Path dir, MetricsLog metrics, RunSummary summary, List<String> warnings) {
    public static final String METRICS = "metrics.jsonl";
    public static final String SUMMARY = "summary.json";

    public RunDirectory {
        warnings = List.copyOf(warnings);
    }

    /** Loads {@code dir}; throws RunDirectoryException naming the path when it is not a readable run directory. */
    public static RunDirectory load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new RunDirectoryException(dir + ": " + (Files.exists(dir) ? "not a directory" : "no such directory")
                    + " (expected a run directory holding " + METRICS + ")");
        }
        MetricsLog metrics = MetricsLog.read(dir.resolve(METRICS));
        RunSummary summary = RunSummary.read(dir.resolve(SUMMARY), metrics);
        List<String> warnings = new ArrayList<>(metrics.warnings());
        if (!summary.fromSummaryFile()) {
            warnings.add(dir.resolve(SUMMARY) + " is missing (run still going or stopped): totals are taken from "
                    + "the last line of " + METRICS + " (step " + summary.steps() + ")");
        }
        return new RunDirectory(dir, metrics, summary, warnings);
    }

    /** The directory name. */
    public String name() {
        Path fileName = dir.toAbsolutePath().normalize().getFileName();
        return fileName == null ? dir.toString() : fileName.toString();
    }

    /** The directory name, with method and window when the run was accelerated: {@code run-a (relex, window 40)}. */
    public String label() {
        return summary.alphaRl()
                .map(a -> name() + " (" + a.method() + ", window " + a.window() + ")")
                .orElse(name());
    }
}
