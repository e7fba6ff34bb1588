package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.StepScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Offline analysis of an RL run's checkpoints (ALPHARL.md §3, §11): per tracked matrix, the energy fraction
 * σ1²/‖ΔW_T‖_F², direction stability |u1(t)·u1(T)| and |v1(t)·v1(T)|, PLS1 in-sample R² beside its null controls,
 * and out-of-sample linearity in the step of c_t = u1(k)ᵀ ΔW_t v1(k) and σ1(t), beside a random-walk control; and,
 * when an evaluator is given, the recovery of the final gain by the Frobenius-rescaled rank-1 and Rank-p%
 * reconstructions. Checkpoints are read twice (the projections need the window end's u1, v1) and one at a time.
 */
public final class Rank1Analysis {

    /** Law 2b thresholds (ALPHARL.md §11). */
    private static final double LAW2B_MIN_R2 = 0.9;

    private static final double LAW2B_MAX_ENDPOINT_ERROR = 0.1;

    /**
     * @param fitFraction share of the checkpoints (first in step order) that forms the fit window; at least 2 fit
     *                    and 1 held out
     * @param rankPercent p of the Rank-p% reconstruction
     * @param seed        seed of the control draws
     */
    public record Options(double fitFraction, double rankPercent, long seed) {
        public static final Options DEFAULTS = new Options(0.5, 1.0, 42);
    }

    /** The run's checkpoints in step order, loaded on demand (the caller's loader; the analysis closes them). */
    public interface Checkpoints {
        int size();

        long step(int index);

        QwenModel load(int index, NDManager manager);
    }

    private Rank1Analysis() {}

    /** The ranks of the rank-k recovery table. */
    static final int[] RANKS = {1, 2, 4, 8, RankReconstruction.ALL};

    /** Verdict thresholds (ALPHARL.md §11). */
    private static final double DRIFT_MIN_COHERENCE = 0.5;

    private static final double RANK1_MIN_RECOVERY = 0.9;
    private static final double LAW2_MIN_PASS_SHARE = 0.5;
    private static final double ORACLE_MAX_ERROR = 0.1;

    /**
     * @param evaluator accuracy of a model, or null: then y is the step and recovery is not evaluated
     * @param rewards   each checkpoint's rollout reward ({@link IntervalRewards}), or null
     */
    public static Rank1AnalysisReport analyze(
            QwenModel base,
            Checkpoints checkpoints,
            ToDoubleFunction<QwenModel> evaluator,
            double[] rewards,
            Options options,
            Rank1 rank1,
            NDManager manager) {
        int n = checkpoints.size();
        if (n < 3) {
            throw new IllegalArgumentException(
                    "the analysis needs at least 3 checkpoints (2 to fit, 1 held out), got " + n);
        }
        if (rewards != null && rewards.length != n) {
            throw new IllegalArgumentException(rewards.length + " rewards for " + n + " checkpoints");
        }
        int nFit = (int) Math.max(2, Math.min(n - 1, Math.round(options.fitFraction() * n)));
        int k = nFit - 1;
        List<String> names = base.projectionMatrices();
        Map<String, NDArray> w0 = base.weights();
        double[] steps = new double[n];
        double[] y = new double[n];
        Map<String, MatrixSnapshot[]> trail = new LinkedHashMap<>();
        names.forEach(name -> trail.put(name, new MatrixSnapshot[n]));
        Increments increments = new Increments(w0);
        Rank1AnalysisReport.Recovery recovery = null;
        List<Rank1AnalysisReport.RankRecovery> rankRecovery = null;
        double[] accuracy = new double[4];
        if (evaluator != null) {
            accuracy[0] = evaluator.applyAsDouble(base);
        }
        // pass 1: triplets (warm-started, aligned) of every checkpoint, increments; reconstructions of the last one
        try (SnapshotRecorder recorder = new SnapshotRecorder(w0, names, rank1, manager)) {
            for (int i = 0; i < n; i++) {
                steps[i] = checkpoints.step(i);
                try (QwenModel ck = checkpoints.load(i, manager)) {
                    y[i] = evaluator != null ? evaluator.applyAsDouble(ck) : steps[i];
                    Snapshot s = recorder.record(checkpoints.step(i), ck.weights(), y[i], null);
                    for (String name : names) {
                        trail.get(name)[i] = s.matrices().get(name);
                    }
                    increments.add(ck.weights());
                    if (i == n - 1 && evaluator != null) {
                        accuracy[1] = y[i];
                        accuracy[2] = evaluateReconstruction(base, ck, null, evaluator, manager);
                        accuracy[3] = evaluateReconstruction(base, ck, options.rankPercent(), evaluator, manager);
                        rankRecovery = rankRecovery(base, ck, evaluator, accuracy[0], accuracy[1], options, manager);
                    }
                }
            }
        }
        if (evaluator != null) {
            double gain = accuracy[1] - accuracy[0];
            recovery = new Rank1AnalysisReport.Recovery(
                    accuracy[0],
                    accuracy[1],
                    accuracy[2],
                    accuracy[3],
                    (accuracy[2] - accuracy[0]) / gain,
                    (accuracy[3] - accuracy[0]) / gain);
        }
        // pass 2: c_t = uᵀ ΔW_t v on the window end's and on the last checkpoint's direction
        Map<String, double[]> windowC = new LinkedHashMap<>();
        Map<String, double[]> finalC = new LinkedHashMap<>();
        names.forEach(name -> {
            windowC.put(name, new double[n]);
            finalC.put(name, new double[n]);
        });
        for (int i = 0; i < n; i++) {
            try (QwenModel ck = checkpoints.load(i, manager)) {
                for (String name : names) {
                    MatrixSnapshot end = trail.get(name)[k];
                    MatrixSnapshot last = trail.get(name)[n - 1];
                    NDArray w = ck.weights().get(name);
                    windowC.get(name)[i] = projection(w0.get(name), w, end.unitU(), Vectors.toDoubles(end.v()));
                    finalC.get(name)[i] = projection(w0.get(name), w, last.unitU(), Vectors.toDoubles(last.v()));
                }
            }
        }
        SplittableRandom random = new SplittableRandom(options.seed());
        double[] yAccuracy = evaluator != null ? y : null;
        List<Rank1AnalysisReport.MatrixAnalysis> matrices = new ArrayList<>();
        for (String name : names) {
            Shape shape = w0.get(name).getShape();
            matrices.add(matrixAnalysis(
                    name,
                    shape,
                    trail.get(name),
                    steps,
                    y,
                    nFit,
                    random,
                    IncrementCoherence.meanCosine(increments.of(name)),
                    directionLaw(windowC.get(name), steps, yAccuracy, rewards, nFit),
                    directionLaw(finalC.get(name), steps, yAccuracy, rewards, nFit)));
        }
        Rank1AnalysisReport.DirectionSummary window =
                directionSummary(matrices, Rank1AnalysisReport.MatrixAnalysis::windowDirection);
        Rank1AnalysisReport.DirectionSummary last =
                directionSummary(matrices, Rank1AnalysisReport.MatrixAnalysis::finalDirection);
        Rank1AnalysisReport.Coherence coherence = coherence(increments, names, matrices);
        return new Rank1AnalysisReport(
                Arrays.stream(steps).mapToObj(s -> (long) s).toList(),
                Arrays.stream(y).boxed().toList(),
                evaluator != null ? "evaluator" : "step",
                rewards == null ? null : Arrays.stream(rewards).boxed().toList(),
                nFit,
                options.rankPercent(),
                summary(matrices, k),
                window,
                last,
                coherence,
                verdict(coherence, rankRecovery, window, last),
                recovery,
                rankRecovery,
                recovery == null ? "recovery not evaluated: no evaluator was given" : null,
                matrices);
    }

    /**
     * The rank-k table: for the untracked tensors at W_T and at W_0, every rank of {@link #RANKS} rescaled,
     * unscaled (not for "all", where it equals rescaled) and random.
     */
    private static List<Rank1AnalysisReport.RankRecovery> rankRecovery(
            QwenModel base,
            QwenModel last,
            ToDoubleFunction<QwenModel> evaluator,
            double baseAccuracy,
            double lastAccuracy,
            Options options,
            NDManager manager) {
        List<Rank1AnalysisReport.RankRecovery> rows = new ArrayList<>();
        for (boolean restAtEnd : new boolean[] {true, false}) {
            for (int rank : RANKS) {
                for (RankReconstruction.Kind kind : RankReconstruction.Kind.values()) {
                    if (rank == RankReconstruction.ALL && kind == RankReconstruction.Kind.UNSCALED) {
                        continue;
                    }
                    RankReconstruction.Spec spec = new RankReconstruction.Spec(rank, kind, restAtEnd);
                    double a;
                    try (NDManager scope = manager.newSubManager()) {
                        Map<String, NDArray> w = RankReconstruction.build(
                                base.weights(), last.weights(), base.projectionMatrices(), spec, options.seed(), scope);
                        try (QwenModel model = base.withWeights(w, scope)) {
                            a = evaluator.applyAsDouble(model);
                        }
                    }
                    rows.add(new Rank1AnalysisReport.RankRecovery(
                            spec.rankLabel(),
                            kind.name().toLowerCase(java.util.Locale.ROOT),
                            restAtEnd ? "W_T" : "W_0",
                            a,
                            (a - baseAccuracy) / (lastAccuracy - baseAccuracy)));
                }
            }
        }
        return rows;
    }

    private static Rank1AnalysisReport.DirectionLaw directionLaw(
            double[] c, double[] steps, double[] accuracy, double[] rewards, int nFit) {
        return new Rank1AnalysisReport.DirectionLaw(
                Arrays.stream(c).boxed().toList(),
                CoefficientLine.of(steps, c, nFit),
                accuracy == null ? null : ResponseLine.of(c, accuracy, nFit),
                rewards == null ? null : ResponseLine.of(c, rewards, nFit));
    }

    private static double evaluateReconstruction(
            QwenModel base, QwenModel last, Double percent, ToDoubleFunction<QwenModel> evaluator, NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> w =
                    RankReconstruction.build(base.weights(), last.weights(), base.projectionMatrices(), percent, scope);
            try (QwenModel model = base.withWeights(w, scope)) {
                return evaluator.applyAsDouble(model);
            }
        }
    }

    /** uᵀ (W − W_0) v in fp64. */
    private static double projection(NDArray w0, NDArray w, double[] u, double[] v) {
        return StepScope.run(w0.getManager(), scope -> {
            NDManager m = scope.manager();
            NDArray delta =
                    scope.own(w.toType(DataType.FLOAT64, true)).sub(scope.own(w0.toType(DataType.FLOAT64, true)));
            return m.create(u, new Shape(1, u.length))
                    .matMul(delta)
                    .matMul(m.create(v, new Shape(v.length, 1)))
                    .getDouble();
        });
    }

    private static Rank1AnalysisReport.MatrixAnalysis matrixAnalysis(
            String name,
            Shape shape,
            MatrixSnapshot[] trail,
            double[] steps,
            double[] y,
            int nFit,
            SplittableRandom random,
            double incrementCoherence,
            Rank1AnalysisReport.DirectionLaw window,
            Rank1AnalysisReport.DirectionLaw last) {
        int n = trail.length;
        double[] uT = trail[n - 1].unitU();
        float[] vT = trail[n - 1].v();
        List<Double> uStability = new ArrayList<>();
        List<Double> vStability = new ArrayList<>();
        double[][] units = new double[n][];
        double[] sigma = new double[n];
        for (int i = 0; i < n; i++) {
            units[i] = trail[i].unitU();
            sigma[i] = trail[i].sigma1();
            uStability.add(Math.abs(Vectors.dot(units[i], uT)));
            vStability.add(Math.abs(
                    Vectors.dot(trail[i].v(), vT) / Math.max(1e-300, Vectors.norm(trail[i].v()) * Vectors.norm(vT))));
        }
        int dOut = units[0].length;
        double[][] iid = new double[n][dOut];
        for (double[] row : iid) {
            for (int j = 0; j < dOut; j++) {
                row[j] = random.nextGaussian();
            }
        }
        double[] shuffled = y.clone();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            double t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        CoefficientLine coefficient = window.step();
        CoefficientLine walk = CoefficientLine.of(steps, randomWalkProjection(trail, nFit - 1, random), nFit);
        CoefficientLine sigmaLine = CoefficientLine.of(steps, sigma, nFit);
        MatrixSnapshot end = trail[n - 1];
        double frob = end.frobenius();
        return new Rank1AnalysisReport.MatrixAnalysis(
                name,
                shape.get(0),
                shape.get(1),
                frob > 0 ? end.sigma1() * end.sigma1() / (frob * frob) : 0,
                end.gapRatio(),
                uStability,
                vStability,
                Pls1.fit(units, y, true).rSquared(),
                Pls1.fit(units, shuffled, true).rSquared(),
                Pls1.fit(iid, y, true).rSquared(),
                coefficient.inSampleR2(),
                coefficient.outOfSampleR2(),
                coefficient.endpointError(),
                walk.outOfSampleR2(),
                walk.endpointError(),
                sigmaLine.inSampleR2(),
                sigmaLine.outOfSampleR2(),
                incrementCoherence,
                window,
                last);
    }

    /** A walk x_t = x_{t−1} + ‖a_t − a_{t−1}‖·g/‖g‖ (a_0 = 0), projected on x_k/‖x_k‖. */
    private static double[] randomWalkProjection(MatrixSnapshot[] trail, int k, SplittableRandom random) {
        int n = trail.length;
        int d = trail[0].a().length;
        double[][] x = new double[n][d];
        double[] previous = new double[d];
        double[] position = new double[d];
        for (int t = 0; t < n; t++) {
            double[] a = Vectors.toDoubles(trail[t].a());
            double stepNorm = 0;
            for (int j = 0; j < d; j++) {
                stepNorm += (a[j] - previous[j]) * (a[j] - previous[j]);
            }
            double[] g = new double[d];
            for (int j = 0; j < d; j++) {
                g[j] = random.nextGaussian();
            }
            double scale = Math.sqrt(stepNorm) / Vectors.norm(g);
            for (int j = 0; j < d; j++) {
                position[j] += scale * g[j];
            }
            x[t] = position.clone();
            previous = a;
        }
        double norm = Vectors.norm(x[k]);
        double[] c = new double[n];
        for (int t = 0; t < n; t++) {
            c[t] = norm > 0 ? Vectors.dot(x[t], x[k]) / norm : 0;
        }
        return c;
    }

    /** Medians over matrices; the stability summary is |u1(k)·u1(T)| at the fit window's end k. */
    private static Rank1AnalysisReport.Summary summary(List<Rank1AnalysisReport.MatrixAnalysis> ms, int k) {
        double[] windowStability =
                ms.stream().mapToDouble(m -> m.uStability().get(k)).toArray();
        return new Rank1AnalysisReport.Summary(
                ms.size(),
                median(ms, Rank1AnalysisReport.MatrixAnalysis::energyFraction),
                Vectors.median(windowStability),
                median(ms, Rank1AnalysisReport.MatrixAnalysis::plsR2),
                median(ms, Rank1AnalysisReport.MatrixAnalysis::plsR2ShuffledY),
                median(ms, Rank1AnalysisReport.MatrixAnalysis::plsR2IidRows),
                median(ms, Rank1AnalysisReport.MatrixAnalysis::coefficientR2OutOfSample),
                median(ms, Rank1AnalysisReport.MatrixAnalysis::coefficientEndpointError),
                median(ms, Rank1AnalysisReport.MatrixAnalysis::randomWalkR2OutOfSample),
                median(ms, Rank1AnalysisReport.MatrixAnalysis::randomWalkEndpointError),
                share(
                        ms,
                        m -> m.coefficientR2OutOfSample() >= LAW2B_MIN_R2
                                && m.coefficientEndpointError() <= LAW2B_MAX_ENDPOINT_ERROR),
                share(
                        ms,
                        m -> m.randomWalkR2OutOfSample() >= LAW2B_MIN_R2
                                && m.randomWalkEndpointError() <= LAW2B_MAX_ENDPOINT_ERROR));
    }

    /** Law 2b for one matrix's coefficient line: OOS R² ≥ 0.9 and endpoint error ≤ 0.1. */
    private static boolean passesLaw2(CoefficientLine line) {
        return line.outOfSampleR2() >= LAW2B_MIN_R2 && line.endpointError() <= LAW2B_MAX_ENDPOINT_ERROR;
    }

    private static Rank1AnalysisReport.DirectionSummary directionSummary(
            List<Rank1AnalysisReport.MatrixAnalysis> ms,
            java.util.function.Function<Rank1AnalysisReport.MatrixAnalysis, Rank1AnalysisReport.DirectionLaw> of) {
        List<Rank1AnalysisReport.DirectionLaw> laws = ms.stream().map(of).toList();
        return new Rank1AnalysisReport.DirectionSummary(
                share(ms, m -> passesLaw2(of.apply(m).step())),
                medianOf(laws, l -> l.step().outOfSampleR2()),
                medianOf(laws, l -> l.step().overshoot()),
                medianOf(
                        laws,
                        l -> l.accuracy() == null ? Double.NaN : l.accuracy().outOfSampleR2()),
                medianOf(
                        laws,
                        l -> l.accuracy() == null ? Double.NaN : l.accuracy().oracleRatio()),
                medianOf(laws, l -> l.reward() == null ? Double.NaN : l.reward().outOfSampleR2()),
                medianOf(laws, l -> l.reward() == null ? Double.NaN : l.reward().oracleRatio()));
    }

    private static <T> double medianOf(List<T> items, ToDoubleFunction<T> f) {
        return Vectors.median(
                items.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).toArray());
    }

    private static Rank1AnalysisReport.Coherence coherence(
            Increments increments, List<String> matrices, List<Rank1AnalysisReport.MatrixAnalysis> ms) {
        List<String> others = increments.names().stream()
                .filter(name -> !matrices.contains(name))
                .toList();
        List<IncrementCoherence> all = increments.pooled(increments.names());
        double overMatrices = IncrementCoherence.meanCosine(increments.pooled(matrices));
        String regime = overMatrices >= DRIFT_MIN_COHERENCE
                ? "drift"
                : Math.abs(overMatrices) < 0.25 ? "diffusion" : overMatrices <= -0.25 ? "oscillation" : "mixed";
        return new Rank1AnalysisReport.Coherence(
                all.stream().map(IncrementCoherence::cosine).toList(),
                IncrementCoherence.meanCosine(all),
                overMatrices,
                IncrementCoherence.meanCosine(increments.pooled(others)),
                median(ms, Rank1AnalysisReport.MatrixAnalysis::incrementCoherence),
                regime);
    }

    private static Rank1AnalysisReport.Verdict verdict(
            Rank1AnalysisReport.Coherence coherence,
            List<Rank1AnalysisReport.RankRecovery> rankRecovery,
            Rank1AnalysisReport.DirectionSummary window,
            Rank1AnalysisReport.DirectionSummary last) {
        boolean drift = coherence.matrices() >= DRIFT_MIN_COHERENCE;
        // undefined without an evaluator or without a gain to recover (ρ is then not finite)
        Boolean rank1 = rankRecovery == null
                ? null
                : rankRecovery.stream()
                        .filter(r -> r.rank().equals("1")
                                && r.kind().equals("rescaled")
                                && r.rest().equals("W_T"))
                        .filter(r -> Double.isFinite(r.recovery()))
                        .map(r -> r.recovery() >= RANK1_MIN_RECOVERY)
                        .findFirst()
                        .orElse(null);
        boolean law2Window = window.law2PassShare() >= LAW2_MIN_PASS_SHARE;
        boolean law2Final = last.law2PassShare() >= LAW2_MIN_PASS_SHARE;
        Boolean oracle = Double.isNaN(window.medianAccuracyOracleRatio())
                ? null
                : Math.abs(window.medianAccuracyOracleRatio() - 1) <= ORACLE_MAX_ERROR;
        boolean passes =
                drift && law2Window && law2Final && !Boolean.FALSE.equals(rank1) && !Boolean.FALSE.equals(oracle);
        return new Rank1AnalysisReport.Verdict(drift, rank1, law2Window, law2Final, oracle, passes);
    }

    /**
     * The coherence terms of every tensor's transitions between consecutive increments d_i = W_i − W_{i−1}, the
     * base W_0 before the first checkpoint (fp32 copies of the previous weights and increment are kept in Java).
     */
    private static final class Increments {
        private final Map<String, float[]> previousWeights = new LinkedHashMap<>();
        private final Map<String, float[]> previousIncrement = new LinkedHashMap<>();
        private final Map<String, List<IncrementCoherence>> terms = new LinkedHashMap<>();

        Increments(Map<String, NDArray> base) {
            base.forEach((name, w) -> {
                previousWeights.put(name, floats(w));
                terms.put(name, new ArrayList<>());
            });
        }

        void add(Map<String, NDArray> weights) {
            for (Map.Entry<String, float[]> e : previousWeights.entrySet()) {
                String name = e.getKey();
                float[] w = floats(weights.get(name));
                float[] before = e.getValue();
                float[] d = new float[w.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = w[i] - before[i];
                }
                float[] earlier = previousIncrement.get(name);
                if (earlier != null) {
                    terms.get(name).add(IncrementCoherence.of(earlier, d));
                }
                previousIncrement.put(name, d);
                e.setValue(w);
            }
        }

        List<String> names() {
            return List.copyOf(terms.keySet());
        }

        List<IncrementCoherence> of(String name) {
            return terms.get(name);
        }

        /** Per transition, the terms summed over {@code names}. */
        List<IncrementCoherence> pooled(List<String> names) {
            int transitions = terms.values().iterator().next().size();
            List<IncrementCoherence> out = new ArrayList<>();
            for (int t = 0; t < transitions; t++) {
                IncrementCoherence sum = IncrementCoherence.NONE;
                for (String name : names) {
                    sum = sum.plus(terms.get(name).get(t));
                }
                out.add(sum);
            }
            return out;
        }

        private static float[] floats(NDArray w) {
            return StepScope.run(
                    w.getManager(),
                    scope -> scope.own(w.toType(DataType.FLOAT32, true)).toFloatArray());
        }
    }

    private static double median(
            List<Rank1AnalysisReport.MatrixAnalysis> ms, ToDoubleFunction<Rank1AnalysisReport.MatrixAnalysis> f) {
        return Vectors.median(
                ms.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).toArray());
    }

    private static double share(
            List<Rank1AnalysisReport.MatrixAnalysis> ms,
            java.util.function.Predicate<Rank1AnalysisReport.MatrixAnalysis> pass) {
        return ms.isEmpty() ? 0 : (double) ms.stream().filter(pass).count() / ms.size();
    }
}
