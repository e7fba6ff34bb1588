package dev.alpharl.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.alpharl.IntervalRewards;
import dev.alpharl.trainer.alpharl.Rank1;
import dev.alpharl.trainer.alpharl.RelexTrajectory;
import dev.alpharl.trainer.alpharl.SnapshotRecorder;
import dev.alpharl.trainer.alpharl.WindowPredictions;
import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.report.GainRetained;
import dev.alpharl.trainer.rl.TrainingContext;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Offline AlphaRL/RELEX sweep over one full run's prefix. A run seeded like the full run follows it exactly up to
 * its window's end (the sampling RNG of step s is derived from (seed, s), the data cursor is deterministic), so a
 * prediction from the full run's checkpoints 1..k is the prediction an accelerated run with window k and
 * {@code alpharl.snapshot-every} = the checkpoint interval makes, and many windows and variants can be scored from
 * one full run. It scores on the run's eval set every checkpoint up to the largest window (row
 * {@code checkpoint (y)}: AlphaRL's y = accuracy) and, per window k:
 * <ul>
 *   <li>W_k, stopping at the window without a jump;</li>
 *   <li>every {@link WindowPredictions} variant at horizons 0.25, 0.5 and 1 of the way from k to the target step:
 *       AlphaRL with assembly replace and add, y = the mean rollout reward since the previous snapshot (as the
 *       trainer records it) and y = the checkpoints' accuracy, y* extrapolated in the step; the oracle AlphaRL with
 *       y* = the full run's final accuracy; RELEX and the raw linear extrapolation W_0 + (T'/k)·ΔW_k, each on all
 *       tensors and on the projection matrices only (the control for RELEX's claim that the rank-1 projection
 *       denoises, on the same tensor set);</li>
 *   <li>with a validation set ({@code --data.validation.*} overrides), the {@code alpharl.validate} choice of the
 *       trainer's default AlphaRL (replace, y = reward) and of RELEX on all tensors: the best of W_k and the three
 *       horizons on validation, scored on eval.</li>
 * </ul>
 * Every row goes to stdout and, tab-separated (seed, k, variant, accuracy, n), to {@code RUN_DIR/sweep.tsv}.
 *
 * <p>Usage: {@code bench.jar sweep RUN_DIR WINDOWS [--key=value ...]}, e.g. {@code runs/full 20,40,80
 * --data.validation.kind=synthetic ...}; the run needs checkpoints at every snapshot step up to the largest window
 * (trainer.save-every, keep-checkpoints 0) and its metrics.jsonl; the target step is the run's total steps.
 */
public final class AlphaRlSweep {

    private static final double[] HORIZONS = {0.25, 0.5, 1.0};

    private final Path run;
    private final Evaluator evaluator;
    private final Evaluator validator;
    private final Map<Long, Double> rewards;
    private final NDManager root;
    private final List<String> tsv = new ArrayList<>();
    private final long seed;
    private final Path baseModel;
    private EvalResult base;
    private EvalResult full;

    private AlphaRlSweep(Path run, TrainingContext ctx, NDManager root) throws IOException {
        this.run = run;
        this.evaluator = ctx.evaluator(null);
        this.validator = ctx.validator();
        this.rewards = IntervalRewards.read(run.resolve("metrics.jsonl"));
        this.root = root;
        this.seed = ctx.config().run().seed();
        this.baseModel = ctx.modelDir();
    }

    /** Sweeps {@code windows} of the full run in {@code run} with the config overrides {@code overrides}. */
    static void run(Path run, int[] windows, List<String> overrides) throws IOException {
        TorchRuntime.init();
        TrainConfig config =
                ConfigLoader.load(TrainConfig.class, run.resolve("config.yaml").toString(), overrides);
        try (TrainingContext ctx = TrainingContext.open(config);
                NDManager root = NDManager.newBaseManager()) {
            AlphaRlSweep sweep = new AlphaRlSweep(run, ctx, root);
            sweep.sweep(config, windows, config.trainer().totalSteps());
            Files.write(run.resolve("sweep.tsv"), sweep.tsv);
        }
    }

    private void sweep(TrainConfig config, int[] windows, long target) throws IOException {
        Path ckDir = run.resolve("checkpoints");
        List<Long> saved = new ArrayList<>();
        try (var s = Files.list(ckDir)) {
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("step-"))
                    .map(n -> Long.parseLong(n.substring(5)))
                    .sorted()
                    .forEach(saved::add);
        }
        Map<Long, Double> accuracyAt = new HashMap<>();
        try (QwenModel w0 = HfCheckpoint.load(baseModel, root)) {
            base = eval(evaluator, w0);
            try (QwenModel fin = HfCheckpoint.load(run.resolve("final"), root)) {
                full = eval(evaluator, fin);
            }
            row("base", 0, base);
            row("full", target, full);
            for (int k : windows) {
                List<Long> steps = saved.stream().filter(s -> s <= k).toList();
                if (steps.isEmpty() || steps.get(steps.size() - 1) != k) {
                    throw new IllegalArgumentException("no checkpoint at window end " + k + " in " + ckDir);
                }
                double[] meanReward;
                try {
                    meanReward = IntervalRewards.means(
                            rewards, steps.stream().mapToLong(Long::longValue).toArray());
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(run.resolve("metrics.jsonl") + ": " + e.getMessage(), e);
                }
                Path dir = Files.createTempDirectory(run, ".sweep-");
                try (SnapshotRecorder recorder =
                                new SnapshotRecorder(w0.weights(), w0.projectionMatrices(), new Rank1(), root);
                        RelexTrajectory trajectory = RelexTrajectory.create(dir, w0.weights(), root)) {
                    QwenModel wk = null;
                    for (int i = 0; i < steps.size(); i++) {
                        long s = steps.get(i);
                        QwenModel ck = HfCheckpoint.load(ckDir.resolve(String.format("step-%06d", s)), root);
                        if (!accuracyAt.containsKey(s)) {
                            EvalResult a = eval(evaluator, ck);
                            accuracyAt.put(s, a.accuracy());
                            row("checkpoint (y)", s, a);
                        }
                        recorder.record(s, ck.weights(), meanReward[i], accuracyAt.get(s));
                        trajectory.append(s, ck.weights());
                        if (s == k) {
                            wk = ck;
                        } else {
                            ck.close();
                        }
                    }
                    try (QwenModel last = wk) {
                        Scored stop = score(last, true);
                        row("stop at k", k, stop.eval());
                        Scored[] best = {stop, stop};
                        WindowPredictions.Window window = new WindowPredictions.Window(
                                recorder.snapshots(),
                                trajectory,
                                w0.weights(),
                                last.weights(),
                                w0.projectionMatrices(),
                                target,
                                full.accuracy());
                        WindowPredictions.each(
                                window,
                                HORIZONS,
                                (label, weights) -> {
                                    boolean alphaRl = label.startsWith(WindowPredictions.DEFAULT_ALPHARL + " h=");
                                    boolean relex = label.startsWith(WindowPredictions.DEFAULT_RELEX + " h=");
                                    // only the validated choices' candidates need their validation accuracy
                                    Scored scored = score(weights, w0, alphaRl || relex);
                                    row(label, k, scored.eval());
                                    if (alphaRl) {
                                        best[0] = scored.betterOnValidation(best[0]);
                                    } else if (relex) {
                                        best[1] = scored.betterOnValidation(best[1]);
                                    }
                                },
                                root);
                        if (validator != null) {
                            row("alpharl validated", k, best[0].eval());
                            row("relex validated", k, best[1].eval());
                        }
                    }
                } finally {
                    AtomicDirectory.deleteRecursively(dir);
                }
            }
        }
    }

    /** A model's eval result and, when it competes in a validated choice, its validation accuracy (else NaN). */
    private record Scored(EvalResult eval, double validation) {
        /** This candidate if it beats {@code other} on validation (ties keep {@code other}). */
        Scored betterOnValidation(Scored other) {
            return validation > other.validation ? this : other;
        }
    }

    private Scored score(QwenModel model, boolean validate) {
        return new Scored(
                eval(evaluator, model),
                validator == null || !validate
                        ? Double.NaN
                        : eval(validator, model).accuracy());
    }

    private Scored score(Map<String, NDArray> weights, QwenModel w0, boolean validate) {
        try (NDManager scope = root.newSubManager();
                QwenModel m = w0.withWeights(weights, scope)) {
            return score(m, validate);
        }
    }

    private EvalResult eval(Evaluator with, QwenModel model) {
        try (StepScope scope = StepScope.open(root)) {
            return with.evaluate(RolloutEngine.local(model), scope.manager());
        }
    }

    private void row(String label, long k, EvalResult acc) {
        GainRetained g = GainRetained.of(acc, full, base);
        System.out.printf(
                Locale.ROOT,
                "k=%4d  %-20s acc %.4f  retained %s%n",
                k,
                label,
                acc.accuracy(),
                g.estimate()
                        .map(r -> String.format(
                                Locale.ROOT,
                                "%7.3f [%.2f, %.2f]",
                                r,
                                g.ci95().low(),
                                g.ci95().high()))
                        .orElse("undefined (no gain)"));
        System.out.flush();
        tsv.add(String.format(Locale.ROOT, "%d\t%d\t%s\t%.6f\t%d", seed, k, label, acc.accuracy(), acc.graded()));
    }
}
