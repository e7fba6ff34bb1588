package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.alpharl.trainer.checkpoint.StateReader;
import dev.alpharl.trainer.checkpoint.StateWriter;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.metrics.Phase;
import dev.alpharl.trainer.model.LoraAdapters;
import dev.alpharl.trainer.model.PeftAdapter;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.rl.RunEnd;
import dev.alpharl.trainer.rl.StepEnd;
import dev.alpharl.trainer.rl.TrainingCallback;
import dev.alpharl.trainer.tensor.TorchOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * AlphaRL or RELEX inside the RL loop (ALPHARL.md §6, §9, §10 "Integration"). During the first
 * {@code alpharl.window} steps it records a snapshot every {@code alpharl.snapshot-every} steps and always at the
 * window's last step: for {@code alpharl} the rank-1 state of every projection matrix ({@link SnapshotRecorder},
 * O(d_in + d_out) floats per matrix), for {@code relex} the full delta of every tensor ({@link RelexTrajectory},
 * on disk under {@code <run>/alpharl/trajectory}). At the window's end it predicts the weights of the target step,
 * writes them to {@code <run>/alpharl/predicted} (and, when the run stops there, {@code <run>/final}) with
 * {@code fit-report.json}, evaluates them, and then either stops the run or writes the prediction into the live
 * policy and lets training continue from it.
 *
 * <p>W_0 comes from {@code baseModel}, a loader of the step-0 model (the trainer's model.path), called only when a
 * window state is created or restored; the hook closes what it returns. The hook's state (snapshots, trajectory
 * length, whether the jump happened and what it produced) goes into {@code trainer-state/alpharl/}, so a run
 * resumed inside the window records the same snapshots and predicts the same weights as an uninterrupted one.
 *
 * <p>A policy with LoRA adapters is recorded in adapter space (ALPHARL.md §13: each adapted matrix's ΔW = s·B·A,
 * no W_0 copy); the prediction is an adapter over W_0, written to {@code <run>/alpharl/predicted/adapter} beside the
 * merged checkpoint, and as {@code final/} when the run stops there (a LoRA run's final/ holds its adapter). The
 * config allows this with the alpharl method and after-jump stop only.
 */
public final class AlphaRlHook implements TrainingCallback {

    private static final Logger LOG = LogManager.getLogger(AlphaRlHook.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The hook's directory, both under the run directory and under a checkpoint's trainer-state. */
    public static final String DIR = "alpharl";

    public static final String PREDICTED_DIR = "predicted";
    public static final String REPORT_FILE = "fit-report.json";
    /** Where, under the predicted directory, a LoRA run's prediction goes as a PEFT adapter. */
    public static final String ADAPTER_DIR = "adapter";

    private static final String TRAJECTORY_DIR = "trajectory";
    private static final String STATE_FILE = "hook.json";
    private static final String RECORDER_DIR = "recorder";
    private static final int FORMAT_VERSION = 1;

    private final AlphaRlConfig config;
    private final long targetStep;
    private final Path runDir;
    private final Supplier<QwenModel> baseModel;
    private final Function<QwenModel, EvalResult> evaluator;
    private final Function<QwenModel, EvalResult> validator;
    private final BiConsumer<QwenModel, Path> saver;
    /** base_model_name_or_path of a predicted adapter. */
    private final String baseModelName;

    private final NDManager manager;
    private final Rank1 rank1 = new Rank1();

    /** Steps recorded so far in the window (the state's source of truth for both methods). */
    private final List<Long> steps = new ArrayList<>();
    /** alpharl: open from the first snapshot until the jump. */
    private SnapshotRecorder recorder;
    /** relex: open from the first snapshot until the jump. */
    private RelexTrajectory trajectory;

    private boolean jumped;
    private double snapshotSeconds;
    /** Rollout rewards of the steps since the last snapshot: a snapshot's y is their mean, not one step's. */
    private double rewardSum;

    private int rewardSteps;
    /** What the jump produced: summary entries (empty before it). */
    private Map<String, Object> outcome = new LinkedHashMap<>();

    /**
     * @param config     the {@code alpharl} section (must be enabled)
     * @param totalSteps trainer.total-steps (the default target step)
     * @param runDir     the run directory
     * @param baseModel  loads W_0, the model at step 0, as a new model (closed by the hook after use)
     * @param evaluator  evaluates a model on the held-out set, or null when there is none
     * @param validator  evaluates a model on the validation set (alpharl.validate), else null
     * @param saver      writes a model as the run writes its policy (Hugging Face directory with tokenizer files, or
     *                   the adapter of a LoRA policy)
     * @param baseModelName base_model_name_or_path written into a predicted adapter (LoRA runs), may be null
     * @param manager    long-lived manager for the window state (W_0 copies)
     */
    public AlphaRlHook(
            AlphaRlConfig config,
            int totalSteps,
            Path runDir,
            Supplier<QwenModel> baseModel,
            Function<QwenModel, EvalResult> evaluator,
            Function<QwenModel, EvalResult> validator,
            BiConsumer<QwenModel, Path> saver,
            String baseModelName,
            NDManager manager) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("alpharl.window is 0: AlphaRL is off, no hook is needed");
        }
        if (config.window() > totalSteps) {
            throw new IllegalArgumentException("alpharl.window (" + config.window()
                    + ") must not exceed trainer.total-steps (" + totalSteps + "): the jump would never happen");
        }
        this.targetStep = config.targetStep() != null ? config.targetStep() : totalSteps;
        if (targetStep <= config.window()) {
            throw new IllegalArgumentException("the target step (trainer.total-steps = " + totalSteps
                    + ", alpharl.target-step not set) must be after alpharl.window (" + config.window()
                    + "); set alpharl.target-step or shorten the window");
        }
        int count = snapshotCount(config.window(), config.snapshotEvery());
        if (count < 2) {
            throw new IllegalArgumentException("alpharl.window = " + config.window() + " with alpharl.snapshot-every = "
                    + config.snapshotEvery() + " gives " + count + " snapshot(s); the fit needs at least 2");
        }
        this.config = config;
        this.runDir = runDir;
        this.baseModel = baseModel;
        this.evaluator = evaluator;
        if (config.validate() != (validator != null)) {
            throw new IllegalArgumentException(
                    config.validate()
                            ? "alpharl.validate needs a validation set"
                            : "a validator is given but alpharl.validate is false");
        }
        this.validator = validator;
        this.saver = saver;
        this.baseModelName = baseModelName;
        this.manager = manager;
    }

    /** Snapshots a window records: every {@code every} steps in 1..window, plus the window's last step. */
    static int snapshotCount(int window, int every) {
        return window / every + (window % every == 0 ? 0 : 1);
    }

    private boolean isSnapshotStep(long step) {
        return step <= config.window() && (step % config.snapshotEvery() == 0 || step == config.window());
    }

    @Override
    public boolean afterStep(StepEnd end) {
        return afterStep(end.step(), end.policy(), end.rewardMean(), end.eval());
    }

    /** Its work per step is reported as {@code timing/alpharl}. */
    @Override
    public Phase phase() {
        return Phase.ALPHARL;
    }

    /**
     * Adds the {@code alpharl} entry to summary.json; when the run stopped at the jump, the predicted model's
     * evaluation is the run's {@code final_eval}.
     */
    @Override
    public void onEnd(RunEnd end) {
        EvalResult predicted = finalEvaluation();
        if (predicted != null) {
            end.summary().put("final_eval", predicted.toMap());
        }
        end.summary().put(DIR, summary());
    }

    /** Observes step {@code step}; returns true when the run stops (at the jump with after-jump stop). */
    public boolean afterStep(long step, QwenModel policy, double rewardMean, EvalResult eval) {
        if (jumped || step > config.window()) {
            return false;
        }
        rewardSum += rewardMean;
        rewardSteps++;
        if (!isSnapshotStep(step)) {
            return false;
        }
        try {
            long t0 = System.nanoTime();
            // one step's rollout reward is a noisy estimate (a few prompts); the mean since the last snapshot is
            // the same trend, lagged by half the interval for every snapshot alike
            record(step, policy, rewardSum / rewardSteps, eval);
            rewardSum = 0;
            rewardSteps = 0;
            snapshotSeconds += (System.nanoTime() - t0) / 1e9;
            return step == config.window() && jump(step, policy);
        } catch (IOException e) {
            throw new UncheckedIOException("AlphaRL at step " + step + ": " + e.getMessage(), e);
        }
    }

    private void record(long step, QwenModel policy, double rewardMean, EvalResult eval) throws IOException {
        if (method() == AlphaRlConfig.Method.ALPHARL) {
            Double accuracy = eval == null ? null : eval.accuracy();
            if (policy.adapters() != null) {
                if (recorder == null) {
                    recorder = SnapshotRecorder.forAdapters(
                            SnapshotRecorder.adaptedMatrices(policy.adapters()), rank1, manager);
                }
                recorder.recordAdapters(step, policy.adapters(), rewardMean, accuracy);
            } else {
                if (recorder == null) {
                    try (QwenModel w0 = baseModel.get()) {
                        recorder = new SnapshotRecorder(w0.weights(), policy.projectionMatrices(), rank1, manager);
                    }
                }
                recorder.record(step, policy.weights(), rewardMean, accuracy);
            }
        } else {
            if (trajectory == null) {
                Path dir = trajectoryDir();
                // left over by an attempt that died before its first checkpoint
                AtomicDirectory.deleteRecursively(dir);
                try (QwenModel w0 = baseModel.get()) {
                    trajectory = RelexTrajectory.create(dir, w0.weights(), manager);
                }
            }
            trajectory.append(step, policy.weights());
        }
        steps.add(step);
    }

    /**
     * The weights a horizon predicts, stored like the live weights, with the fit report and its summary entries;
     * in adapter space also the predicted adapter (on the candidate's scope), else null.
     */
    private record Candidate(
            Map<String, NDArray> weights, Object report, Map<String, Object> entries, LoraAdapters adapter) {}

    /**
     * Predicts, writes and evaluates the target-step model (or, with alpharl.validate, the best of W_k and the
     * horizons' candidates on the validation set); returns whether training stops.
     */
    private boolean jump(long step, QwenModel policy) throws IOException {
        long t0 = System.nanoTime();
        boolean stop = config.afterJump() == AlphaRlConfig.AfterJump.STOP;
        Path out = runDir.resolve(DIR);
        Files.createDirectories(out);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("jump_step", step);
        if (recorder != null) {
            long withEval = recorder.snapshots().stream()
                    .filter(sn -> sn.evalAccuracy() != null)
                    .count();
            if (withEval > 0 && withEval < recorder.snapshots().size()) {
                LOG.info(
                        "alpharl: y = the mean rollout reward (held-out accuracy was measured at {} of {} snapshots; "
                                + "to fit on it, make trainer.eval-every divide alpharl.snapshot-every)",
                        withEval,
                        recorder.snapshots().size());
            }
        }
        double horizon = validator == null ? config.horizons().get(0) : chooseHorizon(policy, result);
        result.put("horizon", horizon);
        result.put("predicted_step", horizon == 0 ? step : horizonStep(horizon));
        EvalResult predictedEval;
        if (horizon == 0) {
            // no candidate beat the window's last weights on validation: they stand, unchanged
            saver.accept(policy, out.resolve(PREDICTED_DIR));
            if (stop) {
                saver.accept(policy, runDir.resolve("final"));
            }
            predictedEval = evaluator == null ? null : evaluator.apply(policy);
        } else {
            // predicted again rather than kept from the validation pass: one candidate's weights alive at a time
            try (NDManager scope = manager.newSubManager()) {
                Candidate c = predict(policy, horizonStep(horizon), scope);
                result.putAll(c.entries());
                JSON.writeValue(out.resolve(REPORT_FILE).toFile(), c.report());
                try (QwenModel predicted = policy.withWeights(c.weights(), scope)) {
                    saver.accept(predicted, out.resolve(PREDICTED_DIR));
                    if (c.adapter() != null) {
                        PeftAdapter.save(c.adapter(), out.resolve(PREDICTED_DIR).resolve(ADAPTER_DIR), baseModelName);
                    }
                    if (stop) {
                        if (c.adapter() != null) {
                            // a LoRA run's final/ holds its adapter over model.path
                            PeftAdapter.save(c.adapter(), runDir.resolve("final"), baseModelName);
                        } else {
                            saver.accept(predicted, runDir.resolve("final"));
                        }
                    }
                    predictedEval = evaluator == null ? null : evaluator.apply(predicted);
                    if (!stop) {
                        // continue from the prediction: the live arrays keep their identity (optimizer, scorer hold
                        // them)
                        predicted
                                .weights()
                                .forEach((name, w) -> policy.weights().get(name).set(w.toByteBuffer()));
                    }
                }
            }
            result.put("fit_report", DIR + "/" + REPORT_FILE);
        }
        result.put("predicted_dir", DIR + "/" + PREDICTED_DIR);
        if (predictedEval != null) {
            result.put("predicted_eval", predictedEval.toMap());
        }
        result.put("predict_seconds", (System.nanoTime() - t0) / 1e9);
        closeWindowState();
        jumped = true;
        outcome = result;
        log(result, stop);
        return stop;
    }

    /** Step k + h·(T − k) of horizon h. */
    private long horizonStep(double horizon) {
        return AlphaRlConfig.horizonStep(config.window(), targetStep, horizon);
    }

    /**
     * Scores W_k (horizon 0) and each horizon's candidate on the validation set; returns the best horizon, W_k on
     * ties (the jump must earn its place), and lists the candidates in {@code result}.
     */
    private double chooseHorizon(QwenModel policy, Map<String, Object> result) throws IOException {
        List<Map<String, Object>> candidates = new ArrayList<>();
        double best = 0;
        double bestAccuracy = validator.apply(policy).accuracy();
        candidates.add(Map.of("horizon", 0.0, "step", (long) config.window(), "validation_accuracy", bestAccuracy));
        for (double h : config.horizons()) {
            double accuracy;
            try (NDManager scope = manager.newSubManager()) {
                Candidate c = predict(policy, horizonStep(h), scope);
                try (QwenModel model = policy.withWeights(c.weights(), scope)) {
                    accuracy = validator.apply(model).accuracy();
                }
            }
            candidates.add(Map.of("horizon", h, "step", horizonStep(h), "validation_accuracy", accuracy));
            if (accuracy > bestAccuracy) {
                best = h;
                bestAccuracy = accuracy;
            }
        }
        result.put("candidates", candidates);
        return best;
    }

    /** The prediction of the weights at {@code target}, by the configured method. */
    private Candidate predict(QwenModel policy, long target, NDManager scope) throws IOException {
        Map<String, Object> entries = new LinkedHashMap<>();
        Map<String, NDArray> weights;
        Object report;
        if (recorder != null && recorder.adapterSpace()) {
            AlphaRlJump.AdapterResult jump = AlphaRlJump.predictAdapters(
                    recorder.snapshots(),
                    new AlphaRlJump.Target(config.targetReward(), target, config.rewardCap()),
                    config.assembly(),
                    policy.adapters(),
                    policy.config(),
                    scope);
            describe(jump.prediction().report(), jump.targetReward(), jump.extrapolated(), entries);
            LoraAdapters adapter = jump.prediction().adapters();
            return new Candidate(
                    mergedOnBase(policy, adapter, scope), jump.prediction().report(), entries, adapter);
        } else if (method() == AlphaRlConfig.Method.ALPHARL) {
            AlphaRlPredictor.Prediction p = predictAlphaRl(policy, target, entries, scope);
            weights = p.weights();
            report = p.report();
        } else {
            RelexPredictor.Prediction p = RelexPredictor.predict(trajectory, target, scope);
            weights = p.weights();
            report = p.report();
            describe(p.report(), entries);
        }
        // stored like the live weights (RELEX predicts in fp32)
        Map<String, NDArray> typed = new LinkedHashMap<>();
        weights.forEach((name, w) -> {
            NDArray live = policy.weights().get(name);
            typed.put(
                    name,
                    live == null || live.getDataType() == w.getDataType() ? w : w.toType(live.getDataType(), false));
        });
        return new Candidate(typed, report, entries, null);
    }

    /**
     * W_0 + B'·A' of every matrix {@code adapter} adapts, over the LoRA policy's frozen base (fp32; a bf16-held
     * projection is widened first), and fp32 copies of the other base tensors: new arrays on {@code scope}.
     */
    private static Map<String, NDArray> mergedOnBase(QwenModel policy, LoraAdapters adapter, NDManager scope) {
        Map<String, NDArray> merged = new LinkedHashMap<>();
        policy.weights().forEach((name, w) -> {
            String module = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
            NDArray f32 = w.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32
                    ? w.duplicate()
                    : TorchOps.of(w).toF32(w);
            f32.attach(scope);
            if (module != null && adapter.adapts(module)) {
                NDArray sum = adapter.merged(module, f32, scope);
                f32.close();
                merged.put(name, sum);
            } else {
                merged.put(name, f32);
            }
        });
        return merged;
    }

    private AlphaRlPredictor.Prediction predictAlphaRl(
            QwenModel policy, long target, Map<String, Object> result, NDManager out) {
        AlphaRlJump.Target jumpTarget = new AlphaRlJump.Target(config.targetReward(), target, config.rewardCap());
        AlphaRlJump.Result jump;
        if (config.assembly() == AlphaRlConfig.Assembly.BASE) {
            try (QwenModel w0 = baseModel.get()) {
                jump = AlphaRlJump.predict(
                        recorder.snapshots(), jumpTarget, config.assembly(), w0.weights(), policy.weights(), out);
            }
        } else {
            // replace and add assemble on W_k only
            jump = AlphaRlJump.predict(
                    recorder.snapshots(), jumpTarget, config.assembly(), Map.of(), policy.weights(), out);
        }
        AlphaRlPredictor.Prediction p = jump.prediction();
        describe(p.report(), jump.targetReward(), jump.extrapolated(), result);
        return p;
    }

    /** The summary entries of an AlphaRL fit: y* and its source, the response, the matrices used and excluded. */
    private static void describe(
            AlphaRlFitReport r, double targetReward, boolean extrapolated, Map<String, Object> result) {
        result.put("target_reward_source", extrapolated ? "extrapolated" : "config");
        result.put("target_reward", targetReward);
        result.put("y_source", r.ySource());
        result.put("window_y", r.windowY());
        result.put("matrices_total", r.matrices().size());
        result.put("matrices_excluded", r.excluded());
        Map<String, String> excluded = new LinkedHashMap<>();
        r.matrices().stream().filter(f -> f.excluded() != null).forEach(f -> excluded.put(f.name(), f.excluded()));
        result.put("excluded", excluded);
    }

    private static void describe(RelexFitReport r, Map<String, Object> result) {
        result.put("tensors_total", r.tensors().size());
        result.put(
                "tensors_unchanged",
                r.tensors().stream().filter(t -> t.explainedVariance() == 0).count());
        result.put(
                "mean_explained_variance",
                r.tensors().stream()
                        .mapToDouble(RelexFitReport.TensorFit::explainedVariance)
                        .average()
                        .orElse(0));
    }

    private void log(Map<String, Object> result, boolean stop) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> candidates = (List<Map<String, Object>>) result.get("candidates");
        if (candidates != null) {
            for (Map<String, Object> c : candidates) {
                LOG.info(String.format(
                        Locale.ROOT,
                        "alpharl: candidate horizon %.2f (step %s): validation accuracy %.4f",
                        (Double) c.get("horizon"),
                        c.get("step"),
                        (Double) c.get("validation_accuracy")));
            }
        }
        StringBuilder b = new StringBuilder("alpharl: ");
        if ((Double) result.get("horizon") == 0) {
            b.append("no jump at step ")
                    .append(result.get("jump_step"))
                    .append(": no candidate beat the window's last weights on validation, they stand");
        } else {
            b.append("jump at step ")
                    .append(result.get("jump_step"))
                    .append(" to step ")
                    .append(result.get("predicted_step"))
                    .append(" (")
                    .append(name(method()))
                    .append(')');
        }
        b.append(" | alpharl/target_step=").append(targetStep);
        b.append(" alpharl/predicted_step=").append(result.get("predicted_step"));
        if (result.containsKey("target_reward")) {
            b.append(String.format(
                    Locale.ROOT,
                    " alpharl/target_reward=%.4f (%s, y=%s)",
                    (Double) result.get("target_reward"),
                    result.get("target_reward_source"),
                    result.get("y_source")));
            b.append(" alpharl/matrices_used=")
                    .append((int) result.get("matrices_total") - (int) result.get("matrices_excluded"));
            b.append(" alpharl/matrices_excluded=").append(result.get("matrices_excluded"));
        } else if (result.containsKey("tensors_total")) {
            b.append(" alpharl/tensors=").append(result.get("tensors_total"));
            b.append(String.format(Locale.ROOT, " alpharl/mean_explained_variance=%.4f", (Double)
                    result.get("mean_explained_variance")));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> eval = (Map<String, Object>) result.get("predicted_eval");
        if (eval != null) {
            b.append(String.format(
                    Locale.ROOT,
                    " alpharl/predicted_eval_accuracy=%.4f (n=%s)",
                    (Double) eval.get("accuracy"),
                    eval.get("n")));
        }
        b.append(String.format(Locale.ROOT, " alpharl/snapshot_s=%.2f alpharl/predict_s=%.2f", snapshotSeconds, (Double)
                result.get("predict_seconds")));
        b.append(stop ? "; stopping with the predicted model as final" : "; training continues from the prediction");
        LOG.info(b.toString());
        @SuppressWarnings("unchecked")
        Map<String, String> excluded = (Map<String, String>) result.get("excluded");
        if (excluded != null) {
            excluded.forEach((m, why) -> LOG.info("alpharl: {} kept its base: {}", m, why));
        }
    }

    // ---- state

    /** The hook's checkpoint directory, {@code trainer-state/alpharl/}. */
    @Override
    public String stateKey() {
        return DIR;
    }

    @Override
    public void saveState(StateWriter out) throws IOException {
        saveTo(out.directory());
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        restoreFrom(in.directory());
    }

    /** Writes the hook's state (snapshots, steps, outcome) into {@code dir}. */
    public void saveTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (recorder != null) {
            recorder.save(dir.resolve(RECORDER_DIR));
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("format", FORMAT_VERSION);
        state.put("method", name(method()));
        state.put("window", config.window());
        state.put("snapshot_every", config.snapshotEvery());
        state.put("steps", steps);
        state.put("trajectory", DIR + "/" + TRAJECTORY_DIR);
        state.put("jumped", jumped);
        state.put("snapshot_seconds", snapshotSeconds);
        state.put("reward_sum", rewardSum);
        state.put("reward_steps", rewardSteps);
        state.put("outcome", outcome);
        JSON.writeValue(dir.resolve(STATE_FILE).toFile(), state);
    }

    /** Restores what {@link #saveTo} wrote into {@code dir}. */
    @SuppressWarnings("unchecked")
    public void restoreFrom(Path dir) throws IOException {
        Path file = dir.resolve(STATE_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is missing: this checkpoint was written without AlphaRL "
                    + "(alpharl.window = 0) and cannot be resumed with it");
        }
        JsonNode root = JSON.readTree(file.toFile());
        if (root.path("format").asInt() != FORMAT_VERSION) {
            throw new IOException(
                    file + ": unsupported format " + root.path("format") + ", expected " + FORMAT_VERSION);
        }
        requireSame(file, root, "method", name(method()));
        requireSame(file, root, "window", String.valueOf(config.window()));
        requireSame(file, root, "snapshot_every", String.valueOf(config.snapshotEvery()));
        closeWindowState();
        steps.clear();
        root.path("steps").forEach(s -> steps.add(s.asLong()));
        jumped = root.path("jumped").asBoolean();
        snapshotSeconds = root.path("snapshot_seconds").asDouble();
        rewardSum = root.path("reward_sum").asDouble();
        rewardSteps = root.path("reward_steps").asInt();
        outcome = JSON.convertValue(root.path("outcome"), LinkedHashMap.class);
        if (jumped || steps.isEmpty()) {
            return;
        }
        try {
            if (method() == AlphaRlConfig.Method.ALPHARL) {
                Path recorderDir = dir.resolve(RECORDER_DIR);
                if (SnapshotRecorder.savedFromAdapters(recorderDir)) {
                    recorder = SnapshotRecorder.loadAdapters(recorderDir, rank1, manager);
                } else {
                    try (QwenModel w0 = baseModel.get()) {
                        recorder = SnapshotRecorder.load(recorderDir, w0.weights(), rank1, manager);
                    }
                }
                List<Long> saved =
                        recorder.snapshots().stream().map(Snapshot::step).toList();
                if (!saved.equals(steps)) {
                    throw new IOException(file + ": the recorder holds steps " + saved + ", the state lists " + steps);
                }
            } else {
                Path trajectoryDir = runDir.resolve(root.path("trajectory").asText());
                try (QwenModel w0 = baseModel.get()) {
                    trajectory = RelexTrajectory.open(trajectoryDir, w0.weights(), manager);
                }
                List<Long> onDisk = trajectory.steps();
                if (onDisk.size() < steps.size()
                        || !onDisk.subList(0, steps.size()).equals(steps)) {
                    throw new IOException(trajectoryDir + " holds steps " + onDisk + " but checkpoint " + file
                            + " needs it to start with " + steps);
                }
                // steps recorded after this checkpoint are recorded again as the run resumes
                trajectory.truncate(steps.size());
            }
        } catch (IOException | RuntimeException e) {
            closeWindowState();
            throw e;
        }
    }

    private static void requireSame(Path file, JsonNode root, String key, String expected) throws IOException {
        String saved = root.path(key).asText();
        if (!saved.equals(expected)) {
            throw new IOException(file + ": the checkpoint was written with alpharl." + key.replace('_', '-') + " = "
                    + saved + ", the configuration says " + expected + "; resume with the original setting");
        }
    }

    // ---- reporting

    /**
     * Summary entries: method, window, target step, snapshot steps and time, and after the jump what it produced
     * (target reward, matrices used and excluded, the predicted model's eval).
     */
    public Map<String, Object> summary() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("method", name(method()));
        s.put("window", config.window());
        s.put("snapshot_every", config.snapshotEvery());
        s.put("target_step", targetStep);
        if (method() == AlphaRlConfig.Method.ALPHARL) {
            s.put("assembly", name(config.assembly()));
        }
        s.put("after_jump", name(config.afterJump()));
        s.put("horizons", config.horizons());
        s.put("validate", config.validate());
        s.put("jumped", jumped);
        s.put("snapshot_steps", List.copyOf(steps));
        s.putAll(outcome);
        s.put("snapshot_seconds", snapshotSeconds);
        return s;
    }

    /** With after-jump stop, the predicted model's evaluation is the run's final evaluation (else null). */
    @SuppressWarnings("unchecked")
    public EvalResult finalEvaluation() {
        Object predicted = outcome.get("predicted_eval");
        return jumped && config.afterJump() == AlphaRlConfig.AfterJump.STOP && predicted != null
                ? EvalResult.fromMap((Map<String, Object>) predicted)
                : null;
    }

    /** The steps recorded so far in the window. */
    public List<Long> snapshotSteps() {
        return List.copyOf(steps);
    }

    /** Whether the jump to the predicted weights has happened. */
    public boolean jumped() {
        return jumped;
    }

    /** Floats the alpharl recorder holds in memory (0 for relex, whose deltas are on disk, and after the jump). */
    public long snapshotFloats() {
        return recorder == null ? 0 : recorder.storedFloats();
    }

    private AlphaRlConfig.Method method() {
        return config.method();
    }

    private Path trajectoryDir() {
        return runDir.resolve(DIR).resolve(TRAJECTORY_DIR);
    }

    private static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private void closeWindowState() {
        if (recorder != null) {
            recorder.close();
            recorder = null;
        }
        if (trajectory != null) {
            trajectory.close();
            trajectory = null;
        }
    }

    @Override
    public void close() {
        closeWindowState();
    }
}
