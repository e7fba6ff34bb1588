package dev.alpharl.trainer.cli;

import dev.alpharl.trainer.config.TrainConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code config}: load and validate a training config and print it resolved (every default filled in) as YAML. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        customSynopsis = "trainer.jar config --config=FILE|NAME [--section.key=VALUE...] [-hV] [--log-level=LEVEL]",
        description = "Validate a training config and print it fully resolved (every default filled in), as YAML.")
final class ConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigSource source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TrainConfig config = source.loadTrainConfig();
        spec.commandLine().getOut().print(config.toYaml());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
