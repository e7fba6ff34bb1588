package dev.alpharl.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.alpharl.AlphaRlPredictor;
import dev.alpharl.trainer.alpharl.Rank1;
import dev.alpharl.trainer.alpharl.RelexPredictor;
import dev.alpharl.trainer.alpharl.RelexTrajectory;
import dev.alpharl.trainer.alpharl.Snapshot;
import dev.alpharl.trainer.alpharl.SnapshotRecorder;
import dev.alpharl.trainer.alpharl.TargetReward;
import dev.alpharl.trainer.checkpoint.AtomicDirectory;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.report.GainRetained;
import dev.alpharl.trainer.rl.TrainingContext;
import dev.alpharl.trainer.rollout.Generator;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchRuntime;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Offline AlphaRL/RELEX sweep over one full run's prefix. A run seeded like the full run follows it exactly up to
 * its window's end (the sampling RNG of step s is derived from (seed, s), the data cursor is deterministic), so a
 * prediction from the full run's checkpoints 1..k is the prediction an accelerated run with window k makes, and
 * many windows and variants can be scored from one full run. For each window it prints the held-out accuracy of:
 * W_k (stopping at the window, no jump), AlphaRL (y = rollout reward per snapshot step, or its mean over the steps
 * since the previous snapshot; assembly replace), RELEX (all tensors, or projection matrices only), and the raw
 * linear extrapolation of the projection matrices' deltas W_0 + (T/k)·ΔW_k (the denoising control).
 *
 * <p>Usage: {@code AlphaRlSweep RUN_DIR WINDOWS(e.g. 50,100,200) [TARGET_STEP]}; the run must have checkpoints
 * (trainer.save-every dividing the windows, keep-checkpoints 0) and its metrics.jsonl; the evaluation is the
 * run's own config's.
 */
public final class AlphaRlSweep {

    /** Extrapolation horizons: fractions of the way from the window's end k to the target step. */
    private static final double[] FRACTIONS = {0.25, 0.5, 1.0};

    private final Path run;
    private final TrainingContext ctx;
    private final Evaluator evaluator;
    private final Map<Long, Double> rewards;
    private final NDManager root;

    private AlphaRlSweep(Path run, TrainingContext ctx, NDManager root) throws IOException {
        this.run = run;
        this.ctx = ctx;
        this.evaluator = ctx.evaluator(null);
        this.rewards = rewards(run.resolve("metrics.jsonl"));
        this.root = root;
    }

    public static void main(String[] args) throws IOException {
        Path run = Path.of(args[0]);
        int[] windows = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        TorchRuntime.init();
        TrainConfig config = ConfigLoader.load(TrainConfig.class, run.resolve("config.yaml").toString(), List.of());
        long target = args.length > 2 ? Long.parseLong(args[2]) : config.trainer().totalSteps();
        try (TrainingContext ctx = TrainingContext.open(config);
             NDManager root = NDManager.newBaseManager()) {
            new AlphaRlSweep(run, ctx, root).sweep(config, windows, target);
        }
    }

    private void sweep(TrainConfig config, int[] windows, long target) throws IOException {
        Path ckDir = run.resolve("checkpoints");
        List<Long> saved = new ArrayList<>();
        try (var s = Files.list(ckDir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-"))
                    .map(n -> Long.parseLong(n.substring(5))).sorted().forEach(saved::add);
        }
        try (QwenModel w0 = HfCheckpoint.load(config.model().path(), root)) {
            EvalResult base = eval(w0);
            EvalResult full;
            try (QwenModel fin = HfCheckpoint.load(run.resolve("final"), root)) {
                full = eval(fin);
            }
            row("base", 0, base, base, full);
            row("full", target, full, base, full);
            Set<String> projections = new HashSet<>(w0.projectionMatrices());
            for (int k : windows) {
                List<Long> steps = saved.stream().filter(s -> s <= k).toList();
                if (steps.isEmpty() || steps.get(steps.size() - 1) != k) {
                    throw new IllegalArgumentException("no checkpoint at window end " + k + " in " + ckDir);
                }
                Path dir = Files.createTempDirectory(run, ".sweep-");
                try (SnapshotRecorder recorder = new SnapshotRecorder(w0.weights(), w0.projectionMatrices(), new Rank1(), root);
                     RelexTrajectory trajectory = RelexTrajectory.create(dir, w0.weights(), root)) {
                    long prev = 0;
                    QwenModel wk = null;
                    for (long s : steps) {
                        QwenModel ck = HfCheckpoint.load(ckDir.resolve(String.format("step-%06d", s)), root);
                        recorder.record(s, ck.weights(), intervalMean(prev, s), null);
                        trajectory.append(s, ck.weights());
                        prev = s;
                        if (s == k) {
                            wk = ck;
                        } else {
                            ck.close();
                        }
                    }
                    try (QwenModel last = wk) {
                        row("stop at k", k, eval(last), base, full);
                        List<Snapshot> interval = recorder.snapshots();
                        List<Snapshot> point = interval.stream().map(sn -> new Snapshot(sn.step(),
                                rewards.get(sn.step()), null, sn.matrices())).toList();
                        for (double f : FRACTIONS) {
                            long t = Math.round(k + f * (target - k));
                            String at = String.format(Locale.ROOT, " ->%d", t);
                            alphaRl("alpharl y=reward" + at, point, w0, last, t, k, base, full);
                            alphaRl("alpharl y=interval" + at, interval, w0, last, t, k, base, full);
                            try (NDManager scope = root.newSubManager()) {
                                score("relex all" + at, RelexPredictor.predict(trajectory, t, scope).weights(), w0,
                                        k, base, full);
                            }
                            try (NDManager scope = root.newSubManager()) {
                                score("relex proj" + at, RelexPredictor.predict(trajectory, t,
                                        projections::contains, scope).weights(), w0, k, base, full);
                            }
                            try (NDManager scope = root.newSubManager()) {
                                Map<String, NDArray> raw = new LinkedHashMap<>();
                                double g = (double) t / k;
                                last.weights().forEach((n, w) -> raw.put(n, projections.contains(n)
                                        ? w0.weights().get(n).add(w.sub(w0.weights().get(n)).mul(g)) : w.duplicate()));
                                raw.values().forEach(a -> a.attach(scope));
                                score("raw linear" + at, raw, w0, k, base, full);
                            }
                        }
                    }
                } finally {
                    AtomicDirectory.deleteRecursively(dir);
                }
            }
        }
    }

    private void alphaRl(String label, List<Snapshot> snapshots, QwenModel w0, QwenModel wk, long target, int k,
                         EvalResult base, EvalResult full) {
        double[] s = snapshots.stream().mapToDouble(Snapshot::step).toArray();
        double[] y = AlphaRlPredictor.responses(snapshots);
        double yStar = TargetReward.extrapolated(s, y, target, 1.0);
        try (NDManager scope = root.newSubManager()) {
            AlphaRlPredictor.Prediction p = AlphaRlPredictor.predict(snapshots, w0.weights(), wk.weights(),
                    new AlphaRlPredictor.Options(yStar, AlphaRlConfig.Assembly.REPLACE), scope);
            System.out.printf(Locale.ROOT, "    %s: window y %.3f..%.3f, y* %.3f, excluded %d%n", label,
                    Arrays.stream(y).min().orElse(0), Arrays.stream(y).max().orElse(0), yStar, p.report().excluded());
            score(label, p.weights(), w0, k, base, full);
        }
    }

    private void score(String label, Map<String, NDArray> weights, QwenModel w0, int k, EvalResult base, EvalResult full) {
        try (NDManager scope = root.newSubManager(); QwenModel m = QwenModel.of(w0.config(), weights, scope)) {
            row(label, k, eval(m), base, full);
        }
    }

    private EvalResult eval(QwenModel model) {
        try (StepScope scope = StepScope.open(root)) {
            return evaluator.evaluate(new Generator(model), scope.manager());
        }
    }

    private static void row(String label, long k, EvalResult acc, EvalResult base, EvalResult full) {
        GainRetained g = GainRetained.of(forReport(acc), forReport(full), forReport(base));
        System.out.printf(Locale.ROOT, "k=%4d  %-26s acc %.4f  retained %s%n", k, label, acc.accuracy(),
                g.estimate().map(r -> String.format(Locale.ROOT, "%7.3f [%.2f, %.2f]", r, g.ci95().low(),
                        g.ci95().high())).orElse("undefined (no gain)"));
        System.out.flush();
    }

    private static dev.alpharl.trainer.report.EvalResult forReport(EvalResult r) {
        return new dev.alpharl.trainer.report.EvalResult(r.accuracy(), r.graded());
    }

    /** Mean rollout reward of steps (from, to]. */
    private double intervalMean(long from, long to) {
        double sum = 0;
        int n = 0;
        for (long s = from + 1; s <= to; s++) {
            Double r = rewards.get(s);
            if (r != null) {
                sum += r;
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalStateException("metrics.jsonl has no reward/mean for steps " + (from + 1) + ".." + to);
        }
        return sum / n;
    }

    private static Map<Long, Double> rewards(Path metrics) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<Long, Double> out = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(metrics)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                JsonNode n = json.readTree(line);
                if (n.has("reward/mean")) {
                    out.put(n.get("step").asLong(), n.get("reward/mean").asDouble());
                }
            }
        }
        return out;
    }
}
