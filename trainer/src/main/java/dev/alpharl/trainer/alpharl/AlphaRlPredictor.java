package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.model.LoraAdapters;
import dev.alpharl.trainer.model.QwenConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AlphaRL's prediction from recorded snapshots (ALPHARL.md §6, steps 4–5): per tracked matrix, PLS1 of the
 * aligned a_i = σ1(i)·u1(i) on the window's responses y_i, inverted at y* to â, then assembled with v1 of the last
 * snapshot k. Matrices whose last snapshot fails {@link Rank1Quality} or whose inversion is rejected keep their
 * variant's base. y is the held-out accuracy when every snapshot has one, else the rollout mean reward.
 */
public final class AlphaRlPredictor {

    /** Settings of one prediction. */
    public record Options(
            double targetReward,
            AlphaRlConfig.Assembly assembly,
            boolean scaleX,
            Pls1.Guards guards,
            Rank1Quality quality) {
        public Options(double targetReward, AlphaRlConfig.Assembly assembly) {
            this(targetReward, assembly, true, Pls1.Guards.DEFAULTS, Rank1Quality.DEFAULTS);
        }
    }

    /** Predicted weights (new arrays on the caller's manager) and the fit report. */
    public record Prediction(Map<String, NDArray> weights, AlphaRlFitReport report) {}

    /** The predicted model as a LoRA adapter over W_0 (on the caller's manager; the caller closes it), and the report. */
    public record AdapterPrediction(LoraAdapters adapters, AlphaRlFitReport report) {}

    private AlphaRlPredictor() {}

    /** The response of each snapshot: eval accuracy if all have one, else mean reward. */
    public static double[] responses(List<Snapshot> snapshots) {
        boolean eval = snapshots.stream().allMatch(s -> s.evalAccuracy() != null);
        return snapshots.stream()
                .mapToDouble(s -> eval ? s.evalAccuracy() : s.meanReward())
                .toArray();
    }

    /** The per-matrix rank-1 predictions and the report, without assembling weights. */
    public static Fits fit(List<Snapshot> snapshots, Options options) {
        if (snapshots.size() < 2) {
            throw new IllegalArgumentException(
                    "AlphaRL needs at least 2 snapshots in the window, got " + snapshots.size());
        }
        double[] y = responses(snapshots);
        Snapshot last = snapshots.get(snapshots.size() - 1);
        Map<String, RankOneUpdate> updates = new LinkedHashMap<>();
        List<AlphaRlFitReport.MatrixFit> fits = new ArrayList<>();
        for (Map.Entry<String, MatrixSnapshot> e : last.matrices().entrySet()) {
            String name = e.getKey();
            MatrixSnapshot k = e.getValue();
            double[][] x = new double[snapshots.size()][];
            for (int i = 0; i < x.length; i++) {
                x[i] = Vectors.toDoubles(snapshots.get(i).matrices().get(name).a());
            }
            Pls1.Fit fit = Pls1.fit(x, y, options.scaleX());
            Pls1.Inversion inv = fit.invert(options.targetReward(), options.guards());
            String excluded = options.quality().exclusionReason(k);
            if (excluded == null) {
                excluded = inv.rejected();
            }
            if (excluded == null) {
                updates.put(
                        name, new RankOneUpdate(inv.predicted(), Vectors.toDoubles(k.a()), Vectors.toDoubles(k.v())));
            }
            fits.add(new AlphaRlFitReport.MatrixFit(
                    name,
                    fit.rSquared(),
                    fit.slope(),
                    inv.tauStar(),
                    inv.capped(),
                    k.gapRatio(),
                    k.overlap(),
                    k.method() == TopTriplet.Method.EXACT_FALLBACK,
                    inv.predicted() == null ? Double.NaN : Vectors.norm(inv.predicted()),
                    Vectors.norm(k.a()),
                    excluded));
        }
        boolean eval = snapshots.stream().allMatch(s -> s.evalAccuracy() != null);
        List<Long> steps = snapshots.stream().map(Snapshot::step).toList();
        List<Double> ys = java.util.Arrays.stream(y).boxed().toList();
        AlphaRlFitReport report = new AlphaRlFitReport(
                "alpharl",
                options.assembly().name().toLowerCase(),
                options.targetReward(),
                eval ? "eval_accuracy" : "mean_reward",
                steps,
                ys,
                options.scaleX(),
                updates.size(),
                fits.size() - updates.size(),
                fits);
        return new Fits(updates, report);
    }

    /** Rank-1 predictions of the non-excluded matrices, and the report. */
    public record Fits(Map<String, RankOneUpdate> updates, AlphaRlFitReport report) {}

    /**
     * Predicted weights from the snapshots, W_0 and W_k (all tensors by name; only read).
     *
     * @param out manager that receives the predicted arrays
     */
    public static Prediction predict(
            List<Snapshot> snapshots,
            Map<String, NDArray> w0,
            Map<String, NDArray> wk,
            Options options,
            NDManager out) {
        Fits fits = fit(snapshots, options);
        return new Prediction(Assembly.assemble(options.assembly(), w0, wk, fits.updates(), out), fits.report());
    }

    /**
     * The predicted adapter from snapshots recorded in adapter space ({@link SnapshotRecorder#forAdapters}) and the
     * window's last adapter {@code last} (only read), for a model of {@code config} ({@link AdapterAssembly}).
     */
    public static AdapterPrediction predictAdapters(
            List<Snapshot> snapshots, LoraAdapters last, QwenConfig config, Options options, NDManager out) {
        Fits fits = fit(snapshots, options);
        return new AdapterPrediction(
                AdapterAssembly.assemble(options.assembly(), last, fits.updates(), config, out), fits.report());
    }
}
