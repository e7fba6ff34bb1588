package dev.alpharl.trainer.cli;

import dev.alpharl.trainer.report.CompareReport;
import dev.alpharl.trainer.report.CompareReport.Written;
import dev.alpharl.trainer.report.ComparisonCharts.Chart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code compare}: an accelerated run against a full run, as report.md, report.html and charts. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {
            "Compare an accelerated run (RUN_A) with a full run (RUN_B): steps, wall time, tokens, final "
                    + "accuracy with 95%% intervals, gain retained and speedup, and charts of reward and eval accuracy "
                    + "against step and wall time.",
            "Writes report.md, report.html and the chart PNGs to --out (default RUN_A/report)."
        })
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_A", description = "The accelerated run directory.")
    Path accelerated;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "The full run directory.")
    Path full;

    @Option(names = "--out", paramLabel = "DIR", description = "Report directory (default: RUN_A/report).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Path dir = out != null ? out : accelerated.resolve("report");
        print(
                CompareReport.write(accelerated, full, dir),
                spec.commandLine().getOut(),
                spec.commandLine().getErr());
        return ExitCodes.OK;
    }

    /** The comparison's warnings on {@code err}, its tables and the files written on {@code out}. */
    static void print(Written written, PrintWriter out, PrintWriter err) {
        written.comparison().warnings().forEach(w -> err.println("warning: " + w));
        err.flush();
        out.print(CompareReport.markdownTables(written.comparison()));
        out.println("wrote " + written.markdown() + ", " + written.html() + " and "
                + written.charts().size() + " charts ("
                + String.join(", ", written.charts().stream().map(Chart::file).toList()) + ")");
        out.flush();
    }
}
