package dev.alpharl.trainer.cli;

import dev.alpharl.trainer.io.UserInputException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Set;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** Entry point of trainer.jar: parses the command line, runs the chosen subcommand and exits with its code. */
@Command(
        name = "trainer.jar",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "RL fine-tuning of LLMs on the JVM (GRPO, PPO, DAPO, RLOO) with AlphaRL acceleration.",
            "Without a command it runs the default job (see 'default --help'): a full GRPO run and an AlphaRL run "
                    + "of the tiny model shipped inside the jar, and their comparison."
        },
        subcommands = {
            DefaultJobCommand.class,
            TrainCommand.class,
            SftCommand.class,
            EvalCommand.class,
            GenerateCommand.class,
            ExportCommand.class,
            RewardsCommand.class,
            AlphaRlCommand.class,
            CompareCommand.class,
            ConfigCommand.class,
            DoctorCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:internal failure", "2:bad input (options, config, files)"})
public final class Main implements Runnable {
    /** Log levels selectable with --log-level (bench.jar's command line uses them too). */
    public enum LogLevel {
        ERROR(Level.ERROR),
        WARN(Level.WARN),
        INFO(Level.INFO),
        DEBUG(Level.DEBUG);

        private final Level level;

        LogLevel(Level level) {
            this.level = level;
        }

        /** Sets the console's root level. */
        public void apply() {
            Configurator.setRootLevel(level);
        }
    }

    @Spec
    CommandSpec spec;

    @Option(
            names = "--log-level",
            scope = ScopeType.INHERIT,
            paramLabel = "LEVEL",
            description = "Console log level: error, warn, info (default), debug.")
    void setLogLevel(LogLevel level) {
        level.apply();
    }

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(),
                "missing command: choose one of "
                        + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (see {@link ExitCodes}). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main())
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((exception, cl, parseResult) -> report(exception, cl.getErr()));
        if (args.length > 0 && args[0].startsWith("--config")) {
            // `trainer.jar --config FILE` means `trainer.jar train --config FILE`
            args = prepend("train", args);
        } else {
            // `trainer.jar [--fresh] [--section.key=value ...] [--log-level L]` runs the default job
            args = withDefaultCommand(commandLine, args, "default");
        }
        return commandLine.execute(args);
    }

    /**
     * {@code args} with {@code command} in front when they name no command: no arguments, or options first (other
     * than --help and --version) and no subcommand among them.
     */
    public static String[] withDefaultCommand(CommandLine commandLine, String[] args, String command) {
        boolean named = args.length > 0
                && (!args[0].startsWith("--")
                        || HELP_OR_VERSION.contains(args[0])
                        || Arrays.stream(args).anyMatch(commandLine.getSubcommands()::containsKey));
        return named ? args : prepend(command, args);
    }

    private static final Set<String> HELP_OR_VERSION = Set.of("--help", "--version");

    private static String[] prepend(String command, String[] args) {
        String[] out = new String[args.length + 1];
        out[0] = command;
        System.arraycopy(args, 0, out, 1, args.length);
        return out;
    }

    /** Bad input is one line on stderr with exit code 2; anything else is an internal failure with its stack trace. */
    public static int report(Exception exception, PrintWriter err) {
        if (isBadInput(exception)) {
            err.println("error: " + exception.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        err.println("internal error: " + exception);
        err.println("(this is a bug; please report it with the stack trace below)");
        exception.printStackTrace(err);
        err.flush();
        return ExitCodes.INTERNAL;
    }

    /** Exceptions that mean the user's input (config, model directory, data file, option) is wrong. */
    static boolean isBadInput(Throwable e) {
        return e instanceof UserInputException
                || e instanceof dev.alpharl.trainer.tensor.safetensors.SafetensorsException
                || e instanceof dev.alpharl.datasets.DatasetException;
    }
}
