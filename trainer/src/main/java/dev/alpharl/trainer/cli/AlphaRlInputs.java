package dev.alpharl.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.LoraAdapters;
import dev.alpharl.trainer.model.ModelFormatException;
import dev.alpharl.trainer.model.PeftAdapter;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** Validation and loading shared by the {@code alpharl} subcommands; every bad input is a ParameterException (exit 2). */
final class AlphaRlInputs {

    /** A trailing step number in a checkpoint directory name: {@code step-000040}, {@code step_40}, {@code ckpt40}. */
    private static final Pattern STEP_IN_NAME = Pattern.compile("(\\d+)$");

    private final CommandLine commandLine;
    /** --base, once {@link #requireRun} has checked it: adapter checkpoints are merged onto it. */
    private Path base;

    AlphaRlInputs(CommandLine commandLine) {
        this.commandLine = commandLine;
    }

    ParameterException bad(String message) {
        return new ParameterException(commandLine, message);
    }

    void requireModelDirectory(String option, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw bad(option + ": " + dir + " is not a directory (expected a Hugging Face model directory)");
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw bad(option + ": " + dir + " has no config.json (expected a Hugging Face model directory)");
        }
    }

    /**
     * --base is a model directory, the --checkpoints entries are all model directories or all PEFT adapter
     * directories (a LoRA run's checkpoints, over --base), and there are at least {@code min} checkpoints.
     */
    void requireRun(Path base, List<Path> checkpoints, int min, String why) {
        requireModelDirectory("--base", base);
        this.base = base;
        boolean adapters = adapterCheckpoints(checkpoints);
        for (Path c : checkpoints) {
            if (adapters != PeftAdapter.isAdapterDirectory(c)) {
                throw bad("--checkpoints: " + c + (adapters ? " is not" : " is") + " a PEFT adapter directory, "
                        + checkpoints.get(0) + (adapters ? " is" : " is not") + "; give model directories only or "
                        + "adapter directories only");
            }
            if (!adapters) {
                requireModelDirectory("--checkpoints", c);
            }
        }
        if (checkpoints.size() < min) {
            throw bad("--checkpoints needs at least " + min + " checkpoints" + why + ", got " + checkpoints.size());
        }
    }

    /**
     * The step of each checkpoint: {@code --steps} when given (same count, strictly increasing), else the number
     * ending each directory name, else 1..n.
     */
    List<Long> steps(List<Path> checkpoints, List<Long> given) {
        List<Long> steps = new ArrayList<>();
        if (given != null) {
            if (given.size() != checkpoints.size()) {
                throw bad("--steps has " + given.size() + " value(s) but --checkpoints has " + checkpoints.size());
            }
            steps.addAll(given);
        } else {
            for (Path p : checkpoints) {
                Matcher m = STEP_IN_NAME.matcher(
                        p.toAbsolutePath().normalize().getFileName().toString());
                if (!m.find()) {
                    steps.clear();
                    for (int i = 1; i <= checkpoints.size(); i++) {
                        steps.add((long) i);
                    }
                    return steps;
                }
                steps.add(Long.parseLong(m.group(1)));
            }
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i) <= steps.get(i - 1)) {
                throw bad("checkpoint steps must increase strictly, got " + steps
                        + (given == null
                                ? " from the directory names (list the checkpoints in order or pass --steps)"
                                : ""));
            }
        }
        return steps;
    }

    /** Loads a model directory (fp32); format problems become bad input naming the directory. */
    QwenModel load(Path dir, NDManager manager) {
        try {
            return HfCheckpoint.load(dir, manager);
        } catch (ModelFormatException e) {
            throw bad("cannot load " + dir + ": " + e.getMessage());
        }
    }

    /** Whether the checkpoints are PEFT adapter directories (judged by the first). */
    static boolean adapterCheckpoints(List<Path> checkpoints) {
        return !checkpoints.isEmpty() && PeftAdapter.isAdapterDirectory(checkpoints.get(0));
    }

    /** A checkpoint's LoRA adapter for a model of {@code config} (fp32); format problems are bad input. */
    LoraAdapters loadAdapters(Path dir, QwenConfig config, NDManager manager) {
        try {
            return PeftAdapter.load(dir, PeftAdapter.readSpec(dir), config, 0, manager);
        } catch (ModelFormatException e) {
            throw bad("cannot load adapter " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Loads a checkpoint and checks that it has the base model's architecture; an adapter checkpoint is merged
     * onto --base (W_0 + s·B·A).
     */
    QwenModel loadLike(Path dir, QwenModel base, NDManager manager) {
        QwenModel model;
        if (PeftAdapter.isAdapterDirectory(dir)) {
            QwenModel fresh = load(this.base, manager);
            LoraAdapters adapters;
            try {
                adapters = loadAdapters(dir, fresh.config(), manager);
            } catch (RuntimeException e) {
                fresh.close();
                throw e;
            }
            return PeftAdapter.merge(PeftAdapter.adoptBase(fresh, adapters, manager), manager);
        }
        model = load(dir, manager);
        if (!QwenModel.expectedShapes(model.config()).equals(QwenModel.expectedShapes(base.config()))) {
            model.close();
            throw bad(dir + ": architecture differs from the base model (tensor names or shapes in config.json)");
        }
        return model;
    }
}
