package dev.alpharl.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.cli.ExitCodes;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code rl-step} ({@code bench/bench.sh --rl}): whole GRPO steps of the JVM trainer ({@link JvmRlStep}) against
 * Hugging Face generate + TRL's GRPO step in PyTorch eager ({@code bench/reference/rl_step_ref.py}), on the same
 * random weights and prompts with the same forced completion lengths, one after the other in one run.
 */
@Command(
        name = "rl-step",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark whole GRPO steps (rollout, reward, advantages, update) of the JVM trainer against Hugging Face "
                    + "generate + TRL's GRPO step in PyTorch eager on the same Qwen-shaped model, prompts and forced "
                    + "completion lengths.",
            "Prints a side-by-side table and writes rl-step.json and rl-step.md to --out. Exit 1 when the token counts "
                    + "or gradient norms of the two sides disagree. Run it alone on the machine.",
            "Trainer config overrides (--trainer.KEY=VALUE, --optim.KEY=VALUE) set the JVM side's micro-batching and "
                    + "optimizer, e.g. --trainer.max-tokens-per-micro-batch=4096."
        })
final class RlStepCommand implements Callable<Integer> {

    @Mixin
    ModelShapeOptions shape;

    @Option(names = "--prompts", defaultValue = "2", description = "Prompts per step, P (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(
            names = "--group-size",
            defaultValue = "8",
            description = "Samples per prompt, G (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(names = "--prompt-len", defaultValue = "128", description = "Prompt tokens (default: ${DEFAULT-VALUE}).")
    int promptLen;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "256",
            description = "Longest completion; lengths are spread over [1, this] (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--iters", defaultValue = "3", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Weights, prompts, lengths and sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--out",
            defaultValue = "runs/bench-rl",
            paramLabel = "DIR",
            description = "Output directory: model/, rl-inputs.safetensors, rl-step.json, rl-step.md "
                    + "(default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--reference",
            defaultValue = "bench/reference/rl_step_ref.py",
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

    @Unmatched
    List<String> overrides = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path script = reference.equals("none") ? null : Path.of(reference);
        if (script != null && !Files.isRegularFile(script)) {
            throw new UserInputException("--reference: " + script.toAbsolutePath() + " does not exist (give the "
                    + "path of bench/reference/rl_step_ref.py, or 'none')");
        }
        if (script != null && !Files.isExecutable(python)) {
            throw new UserInputException("--python: " + python + " is not an executable (bench/bench.sh installs "
                    + "Debian's python3-torch)");
        }
        RlStepSettings settings;
        try {
            settings = new RlStepSettings(
                    shape.config(),
                    prompts,
                    groupSize,
                    promptLen,
                    maxNewTokens,
                    iters,
                    warmup,
                    seed,
                    RlStepSettings.trainConfig(prompts, groupSize, maxNewTokens, overrides));
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage(), e);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        TorchRuntime.init();
        OutputDirectories.requireWritable(out, "--out");
        Path modelDir = out.resolve("model");
        Path inputsFile = out.resolve("rl-inputs.safetensors");
        RlStepInputs inputs = RlStepInputs.random(settings);
        RlStepReport report;
        try (NDManager base = NDManager.newBaseManager();
                QwenModel model = QwenModel.random(settings.model(), seed, DataType.FLOAT32, base)) {
            stderr.printf(
                    "rl-step: %.1fM parameters, %d threads, %d×%d rows, %s; writing %s%n",
                    model.parameterCount() / 1e6,
                    JniUtils.getNumThreads(),
                    prompts,
                    groupSize,
                    settings.algorithm().describe(),
                    modelDir);
            stderr.flush();
            HfCheckpoint.save(model, modelDir, SafetensorsDtype.F32, null);
            JvmRlStep.Result jvm = new JvmRlStep(settings, model, base, line -> {
                        stderr.println("[jvm] " + line);
                        stderr.flush();
                    })
                    .run(inputs);
            inputs.write(inputsFile, jvm.completions(), jvm.learningRates(), base);
            RlReferenceRun.Result ref = script == null
                    ? null
                    : RlReferenceRun.run(python, script, modelDir, inputsFile, settings, jvm.threads());
            report = new RlStepReport(settings, inputs, jvm, ref);
        }
        String table = report.markdown();
        Files.writeString(out.resolve("rl-step.md"), table);
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValue(out.resolve("rl-step.json").toFile(), report.json());
        stdout.println(table);
        stdout.flush();
        if (!report.quiet()) {
            stderr.println("warning: other processes used the CPU during the run (see the table): the timings are not "
                    + "reliable; run the bench alone");
            stderr.flush();
        }
        if (!report.agrees()) {
            stderr.println("error: the two sides' token counts or gradient norms disagree (see the table)");
            stderr.flush();
            return ExitCodes.INTERNAL;
        }
        return ExitCodes.OK;
    }
}
