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

    /**
     * @param evaluator accuracy of a model, or null: then y is the step and recovery is not evaluated
     */
    public static Rank1AnalysisReport analyze(
            QwenModel base,
            Checkpoints checkpoints,
            ToDoubleFunction<QwenModel> evaluator,
            Options options,
            Rank1 rank1,
            NDManager manager) {
        int n = checkpoints.size();
        if (n < 3) {
            throw new IllegalArgumentException(
                    "the analysis needs at least 3 checkpoints (2 to fit, 1 held out), got " + n);
        }
        int nFit = (int) Math.max(2, Math.min(n - 1, Math.round(options.fitFraction() * n)));
        int k = nFit - 1;
        List<String> names = base.projectionMatrices();
        Map<String, NDArray> w0 = base.weights();
        double[] steps = new double[n];
        double[] y = new double[n];
        Map<String, MatrixSnapshot[]> trail = new LinkedHashMap<>();
        names.forEach(name -> trail.put(name, new MatrixSnapshot[n]));
        Rank1AnalysisReport.Recovery recovery = null;
        double[] accuracy = new double[4];
        if (evaluator != null) {
            accuracy[0] = evaluator.applyAsDouble(base);
        }
        // pass 1: triplets (warm-started, aligned) of every checkpoint; reconstructions of the last one
        try (SnapshotRecorder recorder = new SnapshotRecorder(w0, names, rank1, manager)) {
            for (int i = 0; i < n; i++) {
                steps[i] = checkpoints.step(i);
                try (QwenModel ck = checkpoints.load(i, manager)) {
                    y[i] = evaluator != null ? evaluator.applyAsDouble(ck) : steps[i];
                    Snapshot s = recorder.record(checkpoints.step(i), ck.weights(), y[i], null);
                    for (String name : names) {
                        trail.get(name)[i] = s.matrices().get(name);
                    }
                    if (i == n - 1 && evaluator != null) {
                        accuracy[1] = y[i];
                        accuracy[2] = evaluateReconstruction(base, ck, null, evaluator, manager);
                        accuracy[3] = evaluateReconstruction(base, ck, options.rankPercent(), evaluator, manager);
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
        // pass 2: c_t = u1(k)ᵀ ΔW_t v1(k)
        Map<String, double[]> coefficients = new LinkedHashMap<>();
        names.forEach(name -> coefficients.put(name, new double[n]));
        for (int i = 0; i < n; i++) {
            try (QwenModel ck = checkpoints.load(i, manager)) {
                for (String name : names) {
                    MatrixSnapshot end = trail.get(name)[k];
                    coefficients.get(name)[i] =
                            projection(w0.get(name), ck.weights().get(name), end.unitU(), Vectors.toDoubles(end.v()));
                }
            }
        }
        SplittableRandom random = new SplittableRandom(options.seed());
        List<Rank1AnalysisReport.MatrixAnalysis> matrices = new ArrayList<>();
        for (String name : names) {
            Shape shape = w0.get(name).getShape();
            matrices.add(matrixAnalysis(name, shape, trail.get(name), coefficients.get(name), steps, y, nFit, random));
        }
        return new Rank1AnalysisReport(
                Arrays.stream(steps).mapToObj(s -> (long) s).toList(),
                Arrays.stream(y).boxed().toList(),
                evaluator != null ? "evaluator" : "step",
                nFit,
                options.rankPercent(),
                summary(matrices, k),
                recovery,
                recovery == null ? "recovery not evaluated: no evaluator was given" : null,
                matrices);
    }

    private static double evaluateReconstruction(
            QwenModel base, QwenModel last, Double percent, ToDoubleFunction<QwenModel> evaluator, NDManager manager) {
        Map<String, NDArray> w =
                RankReconstruction.build(base.weights(), last.weights(), base.projectionMatrices(), percent, manager);
        try (QwenModel model = base.withWeights(w, manager)) {
            return evaluator.applyAsDouble(model);
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
            double[] c,
            double[] steps,
            double[] y,
            int nFit,
            SplittableRandom random) {
        int n = trail.length;
        MatrixSnapshot last = trail[n - 1];
        double[] uT = last.unitU();
        List<Double> uStability = new ArrayList<>();
        List<Double> vStability = new ArrayList<>();
        double[][] units = new double[n][];
        double[] sigma = new double[n];
        for (int i = 0; i < n; i++) {
            units[i] = trail[i].unitU();
            sigma[i] = trail[i].sigma1();
            uStability.add(Math.abs(Vectors.dot(units[i], uT)));
            vStability.add(Math.abs(Vectors.dot(trail[i].v(), last.v())
                    / Math.max(1e-300, Vectors.norm(trail[i].v()) * Vectors.norm(last.v()))));
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
        Linearity coefficient = Linearity.of(steps, c, nFit);
        Linearity walk = Linearity.of(steps, randomWalkProjection(trail, nFit - 1, random), nFit);
        Linearity sigmaLine = Linearity.of(steps, sigma, nFit);
        double frob = last.frobenius();
        return new Rank1AnalysisReport.MatrixAnalysis(
                name,
                shape.get(0),
                shape.get(1),
                frob > 0 ? last.sigma1() * last.sigma1() / (frob * frob) : 0,
                last.gapRatio(),
                uStability,
                vStability,
                Pls1.fit(units, y, true).rSquared(),
                Pls1.fit(units, shuffled, true).rSquared(),
                Pls1.fit(iid, y, true).rSquared(),
                coefficient.inSample,
                coefficient.outOfSample,
                coefficient.endpointError,
                walk.outOfSample,
                walk.endpointError,
                sigmaLine.inSample,
                sigmaLine.outOfSample);
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

    /** OLS of a series on the step over the first nFit points, judged in-sample and on the rest. */
    private record Linearity(double inSample, double outOfSample, double endpointError) {
        static Linearity of(double[] steps, double[] values, int nFit) {
            double[] xf = Arrays.copyOfRange(steps, 0, nFit);
            double[] yf = Arrays.copyOfRange(values, 0, nFit);
            double[] xt = Arrays.copyOfRange(steps, nFit, steps.length);
            double[] yt = Arrays.copyOfRange(values, nFit, values.length);
            LinearFit line = LinearFit.of(xf, yf);
            double last = values[values.length - 1];
            double endpoint = Math.abs(line.at(steps[steps.length - 1]) - last) / Math.abs(last);
            return new Linearity(line.rSquared(xf, yf), line.rSquared(xt, yt), endpoint);
        }
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
