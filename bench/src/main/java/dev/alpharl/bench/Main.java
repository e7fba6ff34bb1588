package dev.alpharl.bench;

import dev.alpharl.trainer.cli.ExitCodes;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * Entry point of bench.jar, the experiments kept out of trainer.jar. It follows trainer.jar's conventions: picocli
 * subcommands, {@code --log-level}, exit code 2 with one line for bad input and 1 with a stack trace for anything
 * else. {@code bench.jar [OPTIONS]} (no command, or options first) means {@code bench.jar bench [OPTIONS]}, the
 * benchmark that {@code bench/bench.sh} runs.
 */
@Command(
        name = "bench.jar",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Benchmarks and experiments of the AlphaRL JVM trainer, kept out of trainer.jar; bench.jar runs with "
                    + "trainer/target/trainer.jar on its class path (its manifest names it relative to bench/target/).",
            "Without a command, or with options first, it runs 'bench'."
        },
        subcommands = {
            BenchCommand.class,
            RlStepCommand.class,
            SnapshotCostCommand.class,
            SweepCommand.class,
            SweepPoolCommand.class,
            AttentionCommand.class,
            ModelCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:internal failure", "2:bad input (options, config, files)"})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--log-level",
            scope = ScopeType.INHERIT,
            paramLabel = "LEVEL",
            description = "Console log level: error, warn, info (default), debug.")
    void setLogLevel(dev.alpharl.trainer.cli.Main.LogLevel level) {
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
                .setExecutionExceptionHandler(
                        (exception, cl, parseResult) -> dev.alpharl.trainer.cli.Main.report(exception, cl.getErr()));
        // `bench.jar [--layers 2 ...]` means `bench.jar bench [--layers 2 ...]`
        return commandLine.execute(dev.alpharl.trainer.cli.Main.withDefaultCommand(commandLine, args, "bench"));
    }

    /** bench.jar's version from its manifest (the trainer's is in {@code java -jar trainer.jar --version}). */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                "bench " + (version == null ? "(not from a jar)" : version),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}
