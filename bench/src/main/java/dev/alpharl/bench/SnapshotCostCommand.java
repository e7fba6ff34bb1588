package dev.alpharl.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.alpharl.trainer.alpharl.Rank1;
import dev.alpharl.trainer.alpharl.SnapshotRecorder;
import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code snapshots}: AlphaRL snapshots at {@code alpharl.snapshot-every: 1} on a random Qwen3-shaped model whose
 * projection matrices follow an RL-like trajectory ({@link RlLikeTrajectory}) instead of real train steps, so that
 * models too large to train here can be measured. Every step's weights are recorded by the trainer's default
 * {@link Rank1} (block Lanczos, warm-started) and by the exact SVD, both timed; the rows are {@code bench}'s AlphaRL
 * rows ({@link SnapshotMeasurement}), the share taken of {@code --train-step-seconds}, a train step measured
 * elsewhere (by {@code bench} on the same shape).
 */
@Command(
        name = "snapshots",
        mixinStandardHelpOptions = true,
        description = {
            "Time AlphaRL snapshots (block Lanczos and exact SVD) on a random model whose projections follow an "
                    + "RL-like trajectory: a dominant rank-1 part plus a random walk of noise.",
            "Prints bench's AlphaRL rows. Run it alone on the machine."
        })
final class SnapshotCostCommand implements Callable<Integer> {

    @Mixin
    ModelShapeOptions shape;

    @Option(
            names = "--snapshots",
            defaultValue = "5",
            description = "Steps, each followed by a snapshot; the first is cold (default: ${DEFAULT-VALUE}).")
    int snapshots;

    @Option(
            names = "--train-step-seconds",
            required = true,
            description = "The train step to compare a snapshot with, in seconds (e.g. from bench on this shape).")
    double trainStepSeconds;

    @Option(
            names = "--rank1-step",
            defaultValue = "1e-3",
            description = "Growth of the planted rank-1 part's σ1 per step (default: ${DEFAULT-VALUE}).")
    double alpha;

    @Option(
            names = "--noise-step",
            defaultValue = "2e-6",
            description = "Standard deviation of each entry's noise per step (default: ${DEFAULT-VALUE}).")
    double eta;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Weights and trajectory seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (snapshots < 2 || !(trainStepSeconds > 0) || !(alpha > 0) || !(eta >= 0)) {
            throw new UserInputException(
                    "need --snapshots ≥ 2, --train-step-seconds > 0, --rank1-step > 0 and " + "--noise-step ≥ 0");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        TorchRuntime.init();
        SnapshotMeasurement m;
        double otherCpu;
        double[] floor;
        try (NDManager base = NDManager.newBaseManager();
                QwenModel model = QwenModel.random(shape.config(), seed, DataType.FLOAT32, base)) {
            List<String> tracked = model.projectionMatrices();
            Map<String, NDArray> weights = model.weights();
            stderr.printf(
                    Locale.ROOT,
                    "snapshots: %.1fM parameters, %d projection matrices, %d threads%n",
                    model.parameterCount() / 1e6,
                    tracked.size(),
                    JniUtils.getNumThreads());
            stderr.flush();
            CpuShare.Sample start = CpuShare.sample();
            double[] times = new double[snapshots];
            double[] exactTimes = new double[snapshots];
            try (SnapshotRecorder iterated = new SnapshotRecorder(weights, tracked, new Rank1(), base);
                    SnapshotRecorder exact = new SnapshotRecorder(
                            weights, tracked, new Rank1(Rank1.Options.DEFAULTS.exactOnly()), base);
                    RlLikeTrajectory trajectory = new RlLikeTrajectory(weights, tracked, alpha, eta, seed)) {
                for (int i = 0; i < snapshots; i++) {
                    trajectory.advance(weights);
                    long step = trajectory.steps();
                    double reward = SnapshotMeasurement.syntheticReward(step);
                    long t0 = System.nanoTime();
                    iterated.record(step, weights, reward, null);
                    times[i] = (System.nanoTime() - t0) / 1e9;
                    t0 = System.nanoTime();
                    exact.record(step, weights, reward, null);
                    exactTimes[i] = (System.nanoTime() - t0) / 1e9;
                    stderr.printf(
                            Locale.ROOT,
                            "step %d: block Lanczos %.1f ms, exact SVD %.1f ms%n",
                            step,
                            times[i] * 1e3,
                            exactTimes[i] * 1e3);
                    stderr.flush();
                }
                otherCpu = CpuShare.othersShare(start, CpuShare.sample());
                floor = trafficFloor(weights, tracked, Rank1.Options.DEFAULTS.blockSize(), base);
                m = SnapshotMeasurement.of(
                        times,
                        exactTimes,
                        iterated.snapshots(),
                        exact.snapshots(),
                        SnapshotMeasurement.weightNorms(weights, tracked, base));
            }
        }
        stdout.println("| metric | JVM | target | result |");
        stdout.println("|---|---|---|---|");
        for (BenchReport.Row r : BenchReport.snapshotRows(m, trainStepSeconds)) {
            stdout.printf(
                    "| %s | %s | %s | %s |%n",
                    r.metric(),
                    r.jvm(),
                    r.target(),
                    r.verdict() == BenchReport.Verdict.NONE ? "" : r.verdict().name());
        }
        double warm = m.seconds(), steps = m.meanSteps();
        stdout.printf(
                Locale.ROOT,
                "| the same work without its bookkeeping: forming every ΔW %.3f s + %.1f steps × one block product "
                        + "each way %.3f s = %.3f s (%.0f%% of a warm snapshot) | – | |%n",
                floor[0],
                steps,
                floor[1],
                floor[0] + steps * floor[1],
                100 * (floor[0] + steps * floor[1]) / warm);
        stdout.printf(
                Locale.ROOT,
                "| CPU taken by other processes and steal meanwhile, %% | %.1f | ≤ %.0f%% (else the figures are "
                        + "unreliable) | %s |%n",
                100 * otherCpu,
                100 * BenchReport.MAX_OTHER_CPU_SHARE,
                otherCpu <= BenchReport.MAX_OTHER_CPU_SHARE ? "PASS" : "FAIL");
        stdout.flush();
        return 0;
    }

    /**
     * The arithmetic a warm snapshot cannot avoid, timed alone: {W_t − W_0 for every tracked matrix, summed} and
     * {ΔW·V and ΔWᵀ·U with blocks of {@code block} columns, summed}, each median of 3. A copy of W_t stands in for
     * W_0 (the same shape and memory traffic). Warm snapshot − (formation + steps × products) is what the Lanczos
     * loop's bookkeeping (small QR/SVDs, JNI calls, the triplet's trip to Java) adds.
     */
    private static double[] trafficFloor(Map<String, NDArray> weights, List<String> tracked, int block, NDManager m) {
        double[][] times = new double[3][2];
        for (int rep = 0; rep < 3; rep++) {
            for (String name : tracked) {
                try (StepScope scope = StepScope.open(m)) {
                    NDArray w = weights.get(name);
                    NDArray w0 = scope.own(w.duplicate());
                    long in = w.getShape().get(1), out = w.getShape().get(0);
                    NDArray v = scope.manager().randomNormal(new Shape(in, block));
                    NDArray u = scope.manager().randomNormal(new Shape(out, block));
                    long t0 = System.nanoTime();
                    NDArray delta = scope.own(w.sub(w0));
                    long t1 = System.nanoTime();
                    delta.matMul(v);
                    delta.transpose().matMul(u);
                    long t2 = System.nanoTime();
                    times[rep][0] += (t1 - t0) / 1e9;
                    times[rep][1] += (t2 - t1) / 1e9;
                }
            }
        }
        return new double[] {
            JvmBench.median(new double[] {times[0][0], times[1][0], times[2][0]}),
            JvmBench.median(new double[] {times[0][1], times[1][1], times[2][1]})
        };
    }
}
