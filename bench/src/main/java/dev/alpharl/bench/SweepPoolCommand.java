package dev.alpharl.bench;

import dev.alpharl.trainer.cli.ExitCodes;
import dev.alpharl.trainer.io.UserInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sweep-pool}: pools the sweeps of runs that differ only in their seed ({@link SweepPool}). */
@Command(
        name = "sweep-pool",
        mixinStandardHelpOptions = true,
        description = {
            "Pool the sweep.tsv of runs that differ only in their seed: per window and variant, the gain retained "
                    + "of each run, their mean with a Student-t 95% interval over the runs, and the paired "
                    + "difference to stopping at W_k with its interval (a variant beats stopping when the interval "
                    + "lies above 0; --against compares with another variant instead). Prints a markdown table."
        })
final class SweepPoolCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Runs with a finished sweep.tsv.")
    List<Path> runs;

    @Option(
            names = "--against",
            paramLabel = "VARIANT",
            defaultValue = SweepPool.STOP,
            description = "The variant each row is compared with, as sweep.tsv names it (default: ${DEFAULT-VALUE}), "
                    + "e.g. \"relex validated\".")
    String against;

    @Override
    public Integer call() throws Exception {
        List<SweepPool.Run> read = new ArrayList<>();
        try {
            for (Path run : runs) {
                read.add(SweepPool.read(run));
            }
            spec.commandLine().getOut().print(SweepPool.markdown(read, SweepPool.pool(read, against), against));
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
