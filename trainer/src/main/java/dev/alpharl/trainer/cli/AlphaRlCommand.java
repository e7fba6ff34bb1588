package dev.alpharl.trainer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code alpharl}: offline AlphaRL / RELEX prediction and rank-1 analysis from saved checkpoints (ALPHARL.md). */
@Command(
        name = "alpharl",
        mixinStandardHelpOptions = true,
        description = "Offline AlphaRL / RELEX: predict a final model from early checkpoints, or analyse the rank-1 "
                + "structure of an RL run's updates.",
        subcommands = {AlphaRlPredictCommand.class, AlphaRlAnalyzeCommand.class})
final class AlphaRlCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing command: choose one of "
                        + String.join(", ", spec.subcommands().keySet()));
    }
}
