package dev.alpharl.trainer.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.alpharl.trainer.alpharl.AlphaRlJump;
import dev.alpharl.trainer.alpharl.AlphaRlPredictor;
import dev.alpharl.trainer.alpharl.Rank1;
import dev.alpharl.trainer.alpharl.RelexPredictor;
import dev.alpharl.trainer.alpharl.RelexTrajectory;
import dev.alpharl.trainer.alpharl.SnapshotRecorder;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.model.BuiltinModels;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.LoraAdapters;
import dev.alpharl.trainer.model.PeftAdapter;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alpharl predict}: a predicted final model from a base and early checkpoints, by AlphaRL (PLS1 of each
 * matrix's σ1·u1 on the checkpoints' rewards, inverted at the target reward) or RELEX (per-tensor rank-1 trajectory
 * extrapolated linearly to the target step). Writes a Hugging Face directory (F32, the base's tokenizer files)
 * plus {@code fit-report.json}. With a LoRA run's adapter checkpoints, alpharl works in adapter space (each adapted
 * matrix's triplet from its factors) and also writes the prediction as a PEFT adapter over --base in
 * {@code adapter/}; relex extrapolates the merged weights.
 */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = "Predict the final model of an RL run from its early checkpoints (AlphaRL or RELEX).")
final class AlphaRlPredictCommand implements Callable<Integer> {

    static final String REPORT_FILE = "fit-report.json";
    /** Where the prediction goes as a PEFT adapter when the checkpoints are adapters. */
    static final String ADAPTER_DIR = "adapter";

    @Spec
    CommandSpec spec;

    @Option(
            names = "--base",
            required = true,
            paramLabel = "DIR",
            description = "The pre-RL model W_0 (HF directory, or builtin:NAME).")
    Path base;

    @Option(
            names = "--checkpoints",
            required = true,
            split = ",",
            paramLabel = "D1,D2,...",
            description = "Window checkpoints in step order (HF directories, or a LoRA run's PEFT adapter "
                    + "directories over --base); the last one is W_k.")
    List<Path> checkpoints;

    @Option(
            names = "--rewards",
            split = ",",
            paramLabel = "y1,y2,...",
            description = "Reward or accuracy of each checkpoint (required for alpharl).")
    List<Double> rewards;

    @Option(
            names = "--steps",
            split = ",",
            paramLabel = "s1,s2,...",
            description = "Step of each checkpoint (default: the number ending each directory name, else 1..n).")
    List<Long> steps;

    @Option(names = "--method", required = true, paramLabel = "alpharl|relex", description = "alpharl or relex.")
    AlphaRlConfig.Method method;

    @ArgGroup(exclusive = true)
    Target target;

    static final class Target {
        @Option(
                names = "--target-reward",
                paramLabel = "Y",
                description = "alpharl: reward at which the fit is inverted.")
        Double reward;

        @Option(
                names = "--target-step",
                paramLabel = "T",
                description = "relex: step to predict; alpharl: invert at the reward extrapolated to this step.")
        Long step;
    }

    @Option(
            names = "--assembly",
            defaultValue = "replace",
            paramLabel = "replace|add|base",
            description =
                    "alpharl assembly: replace (W_k + (â − a_k)v_kᵀ, default), add (W_k + â v_kᵀ), base (W_0 + â v_kᵀ).")
    AlphaRlConfig.Assembly assembly;

    @Option(
            names = "--max-reward",
            defaultValue = "1.0",
            paramLabel = "Y",
            description = "alpharl with --target-step: cap of the extrapolated target reward (default 1.0).")
    double maxReward;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Output directory for the predicted model.")
    Path out;

    @Override
    public Integer call() throws IOException {
        AlphaRlInputs in = new AlphaRlInputs(spec.commandLine());
        base = BuiltinModels.resolve(base, "--base");
        in.requireRun(base, checkpoints, 2, "");
        List<Long> stepList = in.steps(checkpoints, steps);
        if (rewards != null && rewards.size() != checkpoints.size()) {
            throw in.bad("--rewards has " + rewards.size() + " value(s) but --checkpoints has " + checkpoints.size());
        }
        Long targetStep = target == null ? null : target.step;
        if (targetStep != null && targetStep <= stepList.get(stepList.size() - 1)) {
            throw in.bad("--target-step must be after the last checkpoint's step (" + stepList.get(stepList.size() - 1)
                    + "), got " + targetStep);
        }
        OutputDirectories.requireWritableParent(out, "--out");
        Object report;
        TorchRuntime.init();
        try (NDManager root = NDManager.newBaseManager();
                QwenModel w0 = in.load(base, root)) {
            Map<String, NDArray> predicted;
            if (method == AlphaRlConfig.Method.ALPHARL && AlphaRlInputs.adapterCheckpoints(checkpoints)) {
                report = predictAdapterSpace(in, w0, stepList, alphaRlTarget(in), root);
                predicted = null;
            } else if (method == AlphaRlConfig.Method.ALPHARL) {
                AlphaRlPredictor.Prediction p = predictAlphaRl(in, w0, stepList, alphaRlTarget(in), root);
                predicted = p.weights();
                report = p.report();
            } else {
                if (targetStep == null) {
                    throw in.bad("--method relex needs --target-step");
                }
                RelexPredictor.Prediction p = predictRelex(in, w0, stepList, targetStep, root);
                predicted = p.weights();
                report = p.report();
            }
            if (predicted != null) {
                try (QwenModel model = w0.withWeights(predicted, root)) {
                    HfCheckpoint.save(model, out, SafetensorsDtype.F32, base);
                }
            }
        }
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve(REPORT_FILE).toFile(), report);
        PrintWriter o = spec.commandLine().getOut();
        o.println("predicted model written to " + out + " (" + method.name().toLowerCase() + ", report " + REPORT_FILE
                + ")");
        o.flush();
        return ExitCodes.OK;
    }

    private AlphaRlJump.Target alphaRlTarget(AlphaRlInputs in) {
        if (rewards == null) {
            throw in.bad("--method alpharl needs --rewards (one per checkpoint)");
        }
        if (target == null) {
            throw in.bad("--method alpharl needs --target-reward or --target-step");
        }
        return new AlphaRlJump.Target(target.reward, target.step, maxReward);
    }

    private AlphaRlPredictor.Prediction predictAlphaRl(
            AlphaRlInputs in, QwenModel w0, List<Long> stepList, AlphaRlJump.Target jumpTarget, NDManager root) {
        try (SnapshotRecorder recorder =
                new SnapshotRecorder(w0.weights(), w0.projectionMatrices(), new Rank1(), root)) {
            QwenModel last = null;
            try {
                for (int i = 0; i < checkpoints.size(); i++) {
                    QwenModel ck = in.loadLike(checkpoints.get(i), w0, root);
                    recorder.record(stepList.get(i), ck.weights(), rewards.get(i), null);
                    if (i == checkpoints.size() - 1) {
                        last = ck;
                    } else {
                        ck.close();
                    }
                }
                return AlphaRlJump.predict(
                                recorder.snapshots(), jumpTarget, assembly, w0.weights(), last.weights(), root)
                        .prediction();
            } finally {
                if (last != null) {
                    last.close();
                }
            }
        }
    }

    /**
     * AlphaRL over adapter checkpoints: records ΔW = s·B·A of every adapted matrix from the factors, writes the
     * merged prediction to --out and the predicted adapter to {@code --out/adapter}; returns the fit report.
     */
    private Object predictAdapterSpace(
            AlphaRlInputs in, QwenModel w0, List<Long> stepList, AlphaRlJump.Target jumpTarget, NDManager root) {
        LoraAdapters last = null;
        SnapshotRecorder recorder = null;
        try {
            for (int i = 0; i < checkpoints.size(); i++) {
                LoraAdapters ck = in.loadAdapters(checkpoints.get(i), w0.config(), root);
                if (recorder == null) {
                    recorder = SnapshotRecorder.forAdapters(SnapshotRecorder.adaptedMatrices(ck), new Rank1(), root);
                } else if (!ck.modules().equals(last.modules())) {
                    ck.close();
                    throw in.bad("--checkpoints: " + checkpoints.get(i) + " adapts other modules (or ranks) than "
                            + checkpoints.get(i - 1) + "; the checkpoints must come from one LoRA run");
                }
                recorder.recordAdapters(stepList.get(i), ck, rewards.get(i), null);
                if (last != null) {
                    last.close();
                }
                last = ck;
            }
            AlphaRlJump.AdapterResult r =
                    AlphaRlJump.predictAdapters(recorder.snapshots(), jumpTarget, assembly, last, w0.config(), root);
            try (LoraAdapters predicted = r.prediction().adapters();
                    NDManager scratch = root.newSubManager()) {
                // the merged checkpoint W_0 + B'·A' (the other tensors copied: the model takes its arrays over)
                Map<String, NDArray> merged = new LinkedHashMap<>();
                w0.weights().forEach((name, w) -> {
                    String module = name.endsWith(".weight") ? name.substring(0, name.length() - 7) : null;
                    merged.put(
                            name,
                            module != null && predicted.adapts(module)
                                    ? predicted.merged(module, w, scratch)
                                    : w.duplicate());
                });
                try (QwenModel model = w0.withWeights(merged, scratch)) {
                    HfCheckpoint.save(model, out, SafetensorsDtype.F32, base);
                }
                PeftAdapter.save(predicted, out.resolve(ADAPTER_DIR), base.toString());
            }
            return r.prediction().report();
        } finally {
            if (last != null) {
                last.close();
            }
            if (recorder != null) {
                recorder.close();
            }
        }
    }

    private RelexPredictor.Prediction predictRelex(
            AlphaRlInputs in, QwenModel w0, List<Long> stepList, long targetStep, NDManager root) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, ".relex-trajectory-");
        try (RelexTrajectory trajectory = RelexTrajectory.create(dir, w0.weights(), root)) {
            for (int i = 0; i < checkpoints.size(); i++) {
                try (QwenModel ck = in.loadLike(checkpoints.get(i), w0, root)) {
                    trajectory.append(stepList.get(i), ck.weights());
                }
            }
            return RelexPredictor.predict(trajectory, targetStep, root);
        } finally {
            AtomicDirectory.deleteRecursively(dir);
        }
    }
}
