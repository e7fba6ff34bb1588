package dev.alpharl.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.cli.ExitCodes;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.metrics.PhasePeaks;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: train step time, rollout tokens/s, the train step's FLOP rate against a GEMM measured in the same
 * process, AlphaRL snapshot overhead and peak memory of the JVM trainer, side by side with the PyTorch-eager
 * reference {@code bench/reference/qwen_ref.py} run on the same weights and inputs (written to {@code --out}).
 * {@code bench/bench.sh} installs the reference's torch and runs this.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark the JVM trainer against a PyTorch-eager reference on the same Qwen-shaped model.",
            "Prints a side-by-side table and writes bench.json and bench.md to --out. Exit 1 when the reference's "
                    + "logits, loss or gradient norm disagree with the JVM's. Run it alone on the machine."
        })
final class BenchCommand implements Callable<Integer> {

    @Mixin
    ModelShapeOptions shape;

    @Option(
            names = "--batch",
            defaultValue = "16",
            description = "Rows in the rollout and the train step " + "(default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--prompt-len", defaultValue = "64", description = "Prompt tokens (default: ${DEFAULT-VALUE}).")
    int promptLen;

    @Option(
            names = "--new-tokens",
            defaultValue = "64",
            description = "Generated / completion tokens " + "(default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(
            names = "--iters",
            defaultValue = "5",
            description = "Timed train steps and rollouts " + "(default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(
            names = "--warmup",
            defaultValue = "2",
            description = "Untimed train steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Weights, inputs and sampling seed " + "(default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--out",
            defaultValue = "runs/bench",
            paramLabel = "DIR",
            description =
                    "Output directory: model/, inputs.safetensors, bench.json, bench.md (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--reference",
            defaultValue = "bench/reference/qwen_ref.py",
            paramLabel = "SCRIPT|none",
            description = "The PyTorch-eager reference script, or 'none' for the JVM side only "
                    + "(default: ${DEFAULT-VALUE}).")
    String reference;

    @Option(
            names = "--python",
            defaultValue = "/usr/bin/python3",
            paramLabel = "PATH",
            description = "Python with torch for the reference (default: ${DEFAULT-VALUE}).")
    Path python;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path script = reference.equals("none") ? null : Path.of(reference);
        if (script != null && !Files.isRegularFile(script)) {
            throw new UserInputException("--reference: " + script.toAbsolutePath() + " does not exist (give the "
                    + "path of bench/reference/qwen_ref.py, or 'none')");
        }
        if (script != null && !Files.isExecutable(python)) {
            throw new UserInputException("--python: " + python + " is not an executable (bench/bench.sh installs "
                    + "Debian's python3-torch)");
        }
        BenchSettings settings;
        try {
            settings = new BenchSettings(shape.config(), batch, promptLen, newTokens, iters, warmup, seed, 1e-4, 0.01);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage(), e);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        TorchRuntime.init();
        OutputDirectories.requireWritable(out, "--out");
        Path modelDir = out.resolve("model");
        Path inputsFile = out.resolve("inputs.safetensors");
        BenchInputs inputs = BenchInputs.random(settings);
        BenchReport report;
        PhasePeaks peaks = PhasePeaks.ofProcess();
        peaks.enter("load");
        try (NDManager base = NDManager.newBaseManager();
                QwenModel model = QwenModel.random(settings.model(), seed, DataType.FLOAT32, base)) {
            stderr.printf(
                    "bench: %.1fM parameters, %d threads; writing %s%n",
                    model.parameterCount() / 1e6, JniUtils.getNumThreads(), modelDir);
            stderr.flush();
            HfCheckpoint.save(model, modelDir, SafetensorsDtype.F32, null);
            inputs.write(inputsFile, model, newTokens, base);
            peaks.exit("load");
            JvmBench.Result jvm = new JvmBench(settings, model, modelDir, base, peaks, line -> {
                        stderr.println("[jvm] " + line);
                        stderr.flush();
                    })
                    .run(inputs);
            ReferenceRun.Result ref = script == null
                    ? null
                    : ReferenceRun.run(
                            python,
                            script,
                            modelDir,
                            inputsFile,
                            settings,
                            jvm.measurements().threads());
            report = new BenchReport(settings, jvm, ref);
        }
        String table = report.markdown();
        Files.writeString(out.resolve("bench.md"), table);
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValue(out.resolve("bench.json").toFile(), report.json());
        stdout.println(table);
        stdout.flush();
        if (!report.quiet()) {
            stderr.println("warning: other processes used the CPU during the run (see the table): the timings are not "
                    + "reliable; run the bench alone");
            stderr.flush();
        }
        if (!report.agrees()) {
            stderr.println("error: the reference disagrees with the JVM model beyond the tolerances (see the table)");
            stderr.flush();
            return ExitCodes.INTERNAL;
        }
        return ExitCodes.OK;
    }
}
