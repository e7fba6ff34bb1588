package dev.alpharl.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.trainer.alpharl.Rank1;
import dev.alpharl.trainer.alpharl.SnapshotRecorder;
import dev.alpharl.trainer.metrics.PhasePeaks;
import dev.alpharl.trainer.metrics.ProcessMemory;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.LogProbScorer;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.SequenceBatch;
import dev.alpharl.trainer.optim.AdamW;
import dev.alpharl.trainer.optim.ParamGroup;
import dev.alpharl.trainer.rollout.Completion;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.rollout.SamplingParams;
import dev.alpharl.trainer.tensor.StepScope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The JVM side of {@code bench}: the trainer's own code paths on one model, timed. The GEMM is DJL's
 * {@link Linear#linear}; the rollout is {@link Generator} (KV cache, temperature 1, no stop tokens); the train step
 * is {@link LogProbScorer#backward} of a token-mean policy-gradient loss
 * {@code −Σ_{b,j} A_b · log π(y_bj) / (B·C)} plus {@link AdamW#step}; the AlphaRL overhead is one
 * {@link SnapshotRecorder#record} of every projection matrix, with W_0 loaded from the saved model directory as the
 * trainer's hook does.
 */
public final class JvmBench {

    /**
     * The JVM's measurements; AlphaRL snapshots as the trainer takes them ({@link Rank1} defaults) against the
     * exact SVD ({@link SnapshotMeasurement}); the peak resident memory including the snapshots; and the share of
     * the machine's CPU that other processes took meanwhile ({@link CpuShare}).
     */
    public record Result(
            Measurements measurements,
            SnapshotMeasurement snapshots,
            long peakRssWithSnapshotsBytes,
            Map<String, Double> phasePeaksMb,
            double otherCpuShare) {}

    /** Timed calls of the GEMM after {@link #GEMM_WARMUP} untimed ones. */
    private static final int GEMM_CALLS = 10;

    private static final int GEMM_WARMUP = 3;
    /** Snapshots taken, each after one more train step: the first starts cold, the median of the others is reported. */
    private static final int SNAPSHOTS = 4;

    /** Elements per block of the fp64 gradient norm (128 MB of fp64). */
    private static final long NORM_BLOCK_ELEMENTS = 1L << 24;

    private final BenchSettings settings;
    private final QwenModel model;
    private final Path modelDir;
    private final NDManager base;
    private final PhasePeaks peaks;
    private final Consumer<String> log;

    /**
     * @param model    the benchmarked model (its weights are trained by the run)
     * @param modelDir the same model's initial weights as a Hugging Face directory (W_0 for the snapshots)
     */
    public JvmBench(
            BenchSettings settings,
            QwenModel model,
            Path modelDir,
            NDManager base,
            PhasePeaks peaks,
            Consumer<String> log) {
        this.settings = settings;
        this.peaks = peaks;
        this.model = model;
        this.modelDir = modelDir;
        this.base = base;
        this.log = log;
    }

    public Result run(BenchInputs inputs) {
        CpuShare.Sample start = CpuShare.sample();
        peaks.enter("rollout");
        double tokensPerSecond = rolloutTokensPerSecond(inputs.rolloutPrompts());
        peaks.exit("rollout");
        log.accept(String.format("rollout: %.1f tokens/s", tokensPerSecond));
        model.setTrainable(true);
        try (AdamW optimizer = new AdamW(
                ParamGroup.decayMatricesOnly(model.weights(), settings.weightDecay()), 0.9, 0.999, 1e-8, base)) {
            peaks.enter("train");
            Training t = train(inputs, optimizer);
            peaks.exit("train");
            Map<String, Double> phases = peaks.take();
            phases.remove("step"); // the largest of all, which peakBytes recomputes with the snapshots
            log.accept(String.format(
                    "GEMM %s: %.1f GFLOP/s; train step: %.1f ms, of which the AdamW step %.1f ms",
                    Arrays.toString(settings.gemmShape()),
                    t.gemmGflops(),
                    t.stepSeconds() * 1e3,
                    t.optimizerSeconds() * 1e3));
            Measurements m = new Measurements(
                    "DJL 0.36 / libtorch " + Engine.getEngine("PyTorch").getVersion(),
                    JniUtils.getNumThreads(),
                    t.gemmGflops(),
                    tokensPerSecond,
                    t.stepSeconds(),
                    t.losses(),
                    t.firstGradNorm(),
                    peakBytes(phases),
                    t.optimizerSeconds());
            SequenceBatch batch = inputs.trainBatch();
            peaks.enter("snapshots");
            SnapshotMeasurement snapshots = snapshots(batch, inputs.advantages(), optimizer);
            peaks.exit("snapshots");
            Map<String, Double> snapshotPhase = peaks.take();
            snapshotPhase.remove("step");
            phases.putAll(snapshotPhase);
            log.accept("peak resident memory by phase, MB (10^6 bytes): " + phases);
            log.accept(String.format(
                    "AlphaRL snapshot: %.1f ms warm, %.1f ms cold (exact SVD: %.1f ms); %.1f block Lanczos steps per "
                            + "matrix, %d exact fallbacks; worst 1-|u.u*| %.1e, 1-|v.v*| %.1e",
                    snapshots.seconds() * 1e3,
                    snapshots.coldSeconds() * 1e3,
                    snapshots.exactSeconds() * 1e3,
                    snapshots.meanSteps(),
                    snapshots.fallbacks(),
                    1 - snapshots.uOverlap(),
                    1 - snapshots.vOverlap()));
            return new Result(
                    m,
                    snapshots,
                    Math.max(m.peakRssBytes(), peakBytes(phases)),
                    phases,
                    CpuShare.othersShare(start, CpuShare.sample()));
        } finally {
            model.setTrainable(false);
        }
    }

    /**
     * The largest peak over the phases (the marks of load, rollout and train, or all of them with the snapshots);
     * the process's own high-water mark where the per-phase marks are unavailable.
     */
    private static long peakBytes(Map<String, Double> phases) {
        return phases.isEmpty()
                ? ProcessMemory.peakResidentBytes()
                : (long) (phases.values().stream()
                                .mapToDouble(Double::doubleValue)
                                .max()
                                .orElse(0)
                        * 1e6);
    }

    /**
     * The train phase: median step time and median time of its AdamW step, every step's loss, the first gradient
     * norm, the GEMM rate around it.
     */
    private record Training(
            double stepSeconds,
            double optimizerSeconds,
            List<Double> losses,
            double firstGradNorm,
            double gemmGflops) {}

    private Training train(BenchInputs inputs, AdamW optimizer) {
        SequenceBatch batch = inputs.trainBatch();
        List<Double> losses = new ArrayList<>();
        double[] times = new double[settings.iters()];
        double[] optimizerTimes = new double[settings.iters()];
        double gradNorm = Double.NaN;
        double[] gemmBefore = gemmSeconds();
        for (int i = 0; i < settings.warmup() + settings.iters(); i++) {
            TrainStep step = trainStep(batch, inputs.advantages(), optimizer, i == 0);
            losses.add(step.loss());
            if (i == 0) {
                gradNorm = step.gradNorm();
            }
            if (i >= settings.warmup()) {
                times[i - settings.warmup()] = step.seconds();
                optimizerTimes[i - settings.warmup()] = step.optimizerSeconds();
            }
        }
        int[] g = settings.gemmShape();
        double gemm = 2.0 * g[0] * g[1] * g[2] / median(concat(gemmBefore, gemmSeconds())) / 1e9;
        return new Training(median(times), median(optimizerTimes), losses, gradNorm, gemm);
    }

    /**
     * Times of single calls of the settings' GEMM. Half of the calls run just before and half just after the train
     * steps, so that the rate compared with theirs is the machine's rate while they ran.
     */
    private double[] gemmSeconds() {
        int[] s = settings.gemmShape();
        double[] times = new double[GEMM_CALLS];
        try (StepScope scope = StepScope.open(base)) {
            NDManager m = scope.manager();
            NDArray x = m.randomNormal(new Shape(s[0], s[1]));
            NDArray w = m.randomNormal(new Shape(s[2], s[1]));
            for (int i = 0; i < GEMM_WARMUP + GEMM_CALLS; i++) {
                try (StepScope call = StepScope.open(m)) {
                    NDArray xi = call.own(x.duplicate()); // results belong to the first operand's manager
                    long t0 = System.nanoTime();
                    Linear.linear(xi, w);
                    if (i >= GEMM_WARMUP) {
                        times[i - GEMM_WARMUP] = (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
        }
        return times;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private double rolloutTokensPerSecond(List<long[]> prompts) {
        SamplingParams sampling = new SamplingParams(settings.newTokens(), 1.0, 1.0, 0, Set.of(), 0);
        RolloutEngine generator = RolloutEngine.local(model);
        double[] rates = new double[settings.iters()];
        for (int i = -1; i < settings.iters(); i++) { // one warm-up run
            long t0 = System.nanoTime();
            List<Completion> out =
                    generator.generate(prompts, sampling, new SplittableRandom(settings.seed() + i), base);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (i >= 0) {
                rates[i] = out.stream().mapToInt(c -> c.tokens().length).sum() / seconds;
            }
        }
        return median(rates);
    }

    private record TrainStep(double seconds, double optimizerSeconds, double loss, double gradNorm) {}

    /** One update; the gradient norm (untimed, fp64) only when asked for. */
    private TrainStep trainStep(SequenceBatch batch, float[] advantages, AdamW optimizer, boolean withGradNorm) {
        try (StepScope step = StepScope.open(base)) {
            NDManager m = step.manager();
            long t0 = System.nanoTime();
            NDArray adv = m.create(advantages, new Shape(advantages.length, 1));
            float tokens = batch.completionTokens();
            NDArray[] loss = {m.create(0f)};
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                new LogProbScorer(model)
                        .backward(
                                batch,
                                1.0,
                                LogProbScorer.Entropy.NONE,
                                (from, to, scores) -> {
                                    NDArray sum = scores.logp()
                                            .mul(adv.get(from + ":" + to))
                                            .sum();
                                    NDArray chunk = sum.neg().div(Constant.like(sum, tokens));
                                    loss[0] = loss[0].add(chunk.stopGradient());
                                    return chunk;
                                },
                                gc,
                                m);
            }
            double gradNorm = Double.NaN;
            if (withGradNorm) {
                long d0 = System.nanoTime();
                double sq = 0;
                for (NDArray w : model.weights().values()) {
                    sq += squaredNorm(w, m);
                }
                gradNorm = Math.sqrt(sq);
                t0 += System.nanoTime() - d0;
            }
            long o0 = System.nanoTime();
            optimizer.step(settings.lr());
            long o1 = System.nanoTime();
            return new TrainStep((o1 - t0) / 1e9, (o1 - o0) / 1e9, loss[0].getFloat(), gradNorm);
        }
    }

    /**
     * ‖∂L/∂w‖² in fp64, in blocks of rows that are freed one by one: fp64 copies of every gradient held until the step
     * ends would double the step's peak memory (5.5 GB on the qwen3-0.6b-12l preset), and an fp32 reduction agrees
     * with the reference's fp64 norm only to a few 1e-5.
     */
    private static double squaredNorm(NDArray w, NDManager m) {
        try (StepScope one = StepScope.open(m)) {
            NDArray g = one.gradient(w);
            long rows = g.getShape().dimension() == 0 ? 1 : g.getShape().get(0);
            long rowsPerBlock = Math.max(1, NORM_BLOCK_ELEMENTS / Math.max(1, g.size() / rows));
            double sq = 0;
            for (long r = 0; r < rows; r += rowsPerBlock) {
                try (StepScope block = StepScope.open(m)) {
                    NDArray part = g.getShape().dimension() == 0
                            ? g
                            : block.own(g.get(r + ":" + Math.min(rows, r + rowsPerBlock)));
                    sq += block.own(part.toType(DataType.FLOAT64, false))
                            .square()
                            .sum()
                            .getDouble();
                }
            }
            return sq;
        }
    }

    /**
     * Snapshots of every projection matrix, each after one more train step, recorded from the same weights by the
     * trainer's default {@link Rank1} and by the exact SVD, each timed.
     */
    private SnapshotMeasurement snapshots(SequenceBatch batch, float[] advantages, AdamW optimizer) {
        double[] times = new double[SNAPSHOTS];
        double[] exactTimes = new double[SNAPSHOTS];
        List<String> tracked = model.projectionMatrices();
        SnapshotRecorder iterated;
        SnapshotRecorder exact;
        try (QwenModel w0 = HfCheckpoint.load(modelDir, base)) { // recorders keep fp32 copies of what they track
            iterated = new SnapshotRecorder(w0.weights(), tracked, new Rank1(), base);
            exact = new SnapshotRecorder(w0.weights(), tracked, new Rank1(Rank1.Options.DEFAULTS.exactOnly()), base);
        }
        try (iterated;
                exact) {
            for (int i = 0; i < SNAPSHOTS; i++) {
                trainStep(batch, advantages, optimizer, false);
                long step = optimizer.steps();
                double reward = SnapshotMeasurement.syntheticReward(step);
                long t0 = System.nanoTime();
                iterated.record(step, model.weights(), reward, null);
                times[i] = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                exact.record(step, model.weights(), reward, null);
                exactTimes[i] = (System.nanoTime() - t0) / 1e9;
            }
            return SnapshotMeasurement.of(
                    times,
                    exactTimes,
                    iterated.snapshots(),
                    exact.snapshots(),
                    SnapshotMeasurement.weightNorms(model.weights(), tracked, base));
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
