package dev.alpharl.trainer.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the default job does with a run directory an earlier invocation left: reuse it when it finished with the
 * same resolved config, resume it when it stopped part-way with the same config, and start it again when its
 * config differs (a finished run of another config must not end up in the comparison).
 *
 * @param action what to do
 * @param reason why, for the log
 */
record PreviousRun(Action action, String reason) {

    enum Action {
        START,
        REUSE,
        RESUME,
        RESTART
    }

    static PreviousRun of(Path runDir, String resolvedYaml) {
        if (!Files.exists(runDir)) {
            return new PreviousRun(Action.START, "new run");
        }
        Path configFile = runDir.resolve("config.yaml");
        if (!Files.isRegularFile(configFile)) {
            return new PreviousRun(Action.RESTART, "the directory exists but has no config.yaml");
        }
        String difference = firstDifference(read(configFile), resolvedYaml);
        if (difference != null) {
            return new PreviousRun(Action.RESTART, "its config differs (" + difference + ")");
        }
        if (Files.isRegularFile(runDir.resolve("summary.json"))) {
            return new PreviousRun(Action.REUSE, "finished earlier with the same config (summary.json)");
        }
        return new PreviousRun(
                Action.RESUME, "stopped part-way with the same config: resuming from its last checkpoint");
    }

    /** The first line that differs, as "earlier → now", or null when the texts have the same lines. */
    static String firstDifference(String earlier, String now) {
        List<String> a = earlier.lines().toList();
        List<String> b = now.lines().toList();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String x = i < a.size() ? a.get(i).strip() : "(end)";
            String y = i < b.size() ? b.get(i).strip() : "(end)";
            if (!x.equals(y) || (i < a.size() && i < b.size() && !a.get(i).equals(b.get(i)))) {
                return "line " + (i + 1) + ": \"" + x + "\" → \"" + y + "\"";
            }
        }
        return null;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
