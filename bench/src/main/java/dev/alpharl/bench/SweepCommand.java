package dev.alpharl.bench;

import dev.alpharl.trainer.cli.ExitCodes;
import dev.alpharl.trainer.io.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** {@code sweep}: the offline AlphaRL/RELEX window sweep of {@link AlphaRlSweep} (bench/alpharl-experiment.sh). */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = {
            "Score, from one full run's checkpoints, what accelerated runs with each window would end with: W_k; "
                    + "at horizons 0.25/0.5/1 AlphaRL (assemblies replace and add, y = rollout reward and y = "
                    + "accuracy), RELEX and the raw linear extrapolation (each on all tensors and on the projection "
                    + "matrices); AlphaRL with the oracle y* = the full run's final accuracy; with a validation set, "
                    + "the alpharl.validate choice. Every checkpoint up to the largest window is scored too (y).",
            "Rows go to stdout and to RUN_DIR/sweep.tsv (seed, k, variant, accuracy, n)."
        },
        footer = {
            "%nAny key of the run's config.yaml can be overridden: --section.key=VALUE, e.g. "
                    + "--data.validation.kind=synthetic --data.validation.size=1000."
        })
final class SweepCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "RUN_DIR",
            description = "A finished run with config.yaml, metrics.jsonl, final/ and a checkpoint at every snapshot "
                    + "step up to the largest window (trainer.save-every, trainer.keep-checkpoints=0).")
    Path run;

    @Parameters(
            index = "1",
            paramLabel = "WINDOWS",
            split = ",",
            description = "Window ends, in steps, e.g. 20,40,80 (each needs a checkpoint).")
    int[] windows;

    @Unmatched
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(run.resolve("config.yaml"))) {
            throw new UserInputException(
                    "RUN_DIR: " + run.toAbsolutePath() + " has no config.yaml (give the directory of a full run)");
        }
        AlphaRlSweep.run(run, windows, overrides);
        return ExitCodes.OK;
    }
}
