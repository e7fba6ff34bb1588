package dev.alpharl.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.model.BuiltinModels;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.PeftAdapter;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code export}: merges a LoRA adapter into its base model, W' = W + s·B·A for every adapted projection, and writes
 * the result as a Hugging Face model directory (with the base's tokenizer files) that loads without PEFT.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Merge a PEFT LoRA adapter into its base model and write a Hugging Face model directory.")
final class ExportCommand implements Callable<Integer> {

    /** How the merged weights are stored. */
    enum StoredAs {
        FLOAT32(SafetensorsDtype.F32),
        BFLOAT16(SafetensorsDtype.BF16);

        final SafetensorsDtype dtype;

        StoredAs(SafetensorsDtype dtype) {
            this.dtype = dtype;
        }
    }

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "The base model: a Hugging Face model directory, or builtin:NAME.")
    Path model;

    @Option(
            names = "--adapter",
            required = true,
            paramLabel = "DIR",
            description = "The PEFT LoRA adapter directory (e.g. a LoRA run's final/ or one of its checkpoints).")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the merged model.")
    Path out;

    @Option(
            names = "--dtype",
            defaultValue = "float32",
            paramLabel = "float32|bfloat16",
            description = "Storage type of the merged weights (computed in fp32; default: ${DEFAULT-VALUE}).")
    StoredAs dtype;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path base = BuiltinModels.resolve(model, "--model");
        if (!Files.isDirectory(base)) {
            throw new UserInputException(
                    "--model: " + base + " is not a directory (expected a Hugging Face model " + "directory)");
        }
        AdapterOption.check(adapter, QwenConfig.read(base));
        OutputDirectories.requireWritableParent(out, "--out");
        TorchRuntime.init();
        try (NDManager manager = NDManager.newBaseManager()) {
            QwenModel adapted = PeftAdapter.attach(HfCheckpoint.load(base, manager), adapter, null, 0, manager);
            try (QwenModel merged = PeftAdapter.merge(adapted, manager)) {
                HfCheckpoint.save(merged, out, dtype.dtype, base);
            }
        }
        spec.commandLine()
                .getOut()
                .println("merged model written to " + out + " (" + adapter + " on " + model + ", "
                        + dtype.name().toLowerCase(java.util.Locale.ROOT) + ")");
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
