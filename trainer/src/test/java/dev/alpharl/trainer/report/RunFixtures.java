package dev.alpharl.trainer.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Hand-built run directories following the trainer's run-directory contract. */
final class RunFixtures {
    private RunFixtures() {}

    /**
     * A run of {@code steps} steps: time_s = secondsPerStep·step, tokens/total = 1000·step, reward/mean = 0.3 +
     * 0.001·step, with evaluations (base accuracy 0.30 at step 0, then {@code finalAccuracy} at the last step,
     * n = 500) every {@code evalEvery} steps, linearly between.
     */
    static Path metrics(Path dir, int steps, double secondsPerStep, int evalEvery, double finalAccuracy)
            throws IOException {
        Files.createDirectories(dir);
        StringBuilder text = new StringBuilder();
        for (int step = 0; step <= steps; step++) {
            text.append(String.format(
                    Locale.ROOT,
                    "{\"step\": %d, \"time_s\": %.1f, \"reward/mean\": %.4f, " + "\"tokens/total\": %d",
                    step,
                    secondsPerStep * step,
                    0.3 + 0.001 * step,
                    1000L * step));
            if (step % evalEvery == 0 || step == steps) {
                double accuracy = 0.30 + (finalAccuracy - 0.30) * step / steps;
                text.append(String.format(Locale.ROOT, ", \"eval/accuracy\": %.4f, \"eval/n\": 500", accuracy));
            }
            text.append("}\n");
        }
        Files.writeString(dir.resolve(RunDirectory.METRICS), text);
        return dir;
    }

    static Path summary(
            Path dir, int steps, double wallTime, long tokens, String baseEval, String finalEval, String alphaRl)
            throws IOException {
        Files.writeString(
                dir.resolve(RunDirectory.SUMMARY),
                String.format(
                        Locale.ROOT,
                        "{\"steps\": %d, \"wall_time_s\": %.1f, \"tokens\": %d, \"base_eval\": %s, \"final_eval\": %s, "
                                + "\"alpharl\": %s}",
                        steps,
                        wallTime,
                        tokens,
                        baseEval,
                        finalEval,
                        alphaRl));
        return dir;
    }

    /** The accelerated run of the brief: 40 steps, RELEX window 40, base 0.30, final 0.60 (n = 500). */
    static Path accelerated(Path root) throws IOException {
        Path dir = metrics(root.resolve("relex-40"), 40, 10.0, 10, 0.55);
        return summary(
                dir,
                40,
                400.0,
                40_000,
                "{\"accuracy\": 0.30, \"n\": 500}",
                "{\"accuracy\": 0.60, \"n\": 500}",
                "{\"method\": \"relex\", \"window\": 40, \"target_step\": 200, \"fit_r2\": 0.97}");
    }

    /** The full run of the brief: 200 steps, base 0.30, final 0.62 (n = 500), 11 s a step. */
    static Path full(Path root) throws IOException {
        Path dir = metrics(root.resolve("full-200"), 200, 11.0, 20, 0.62);
        return summary(
                dir,
                200,
                2200.0,
                200_000,
                "{\"accuracy\": 0.30, \"n\": 500}",
                "{\"accuracy\": 0.62, \"n\": 500}",
                "null");
    }
}
