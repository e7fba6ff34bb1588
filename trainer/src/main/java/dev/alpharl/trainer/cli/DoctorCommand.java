package dev.alpharl.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.alpharl.trainer.doctor.Doctor;
import dev.alpharl.trainer.doctor.DoctorReport;
import dev.alpharl.trainer.doctor.DoctorText;
import dev.alpharl.trainer.io.UserInputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code doctor}: why the GPU is or is not used, and what to set; trains nothing. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Check the setup without training: Java, DJL and libtorch versions and where each native library is "
                    + "loaded from, the flavour, the CUDA devices libtorch sees and their memory, libcudart and "
                    + "libtorch_cuda (with the loader's error when they do not load), threads and BLAS, a bf16 "
                    + "matmul on each device, and the torch installs on this machine with the environment "
                    + "variables to use each.",
            "The engine is started in a child JVM, so a crashing native library is reported, not fatal. "
                    + "Exit code 0 when the report was made, whatever it found (see its \"ok\" field with --json)."
        })
final class DoctorCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print the report as JSON instead of text.")
    boolean json;

    @Option(
            names = "--search",
            paramLabel = "DIR",
            split = ",",
            description = "More directories to look for torch installs in (a few levels deep).")
    List<Path> search = List.of();

    @Option(names = "--no-engine", description = "Do not start the engine: settings, files and installs only.")
    boolean noEngine;

    @Option(
            names = "--in-process",
            description = "Start the engine in this JVM instead of a child JVM (a native crash then ends the doctor).")
    boolean inProcess;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "180",
            description = "How long the engine check may take (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (timeoutSeconds < 1) {
            throw new UserInputException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        if (!LogManager.getRootLogger().isDebugEnabled()) {
            Configurator.setLevel("ai.djl", Level.WARN); // DJL's platform INFO lines would interleave the report
        }
        DoctorReport report = Doctor.examine(new Doctor.Options(
                !noEngine, inProcess, Duration.ofSeconds(timeoutSeconds), List.copyOf(search), true));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(report));
        } else {
            out.print(DoctorText.render(report));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
