package dev.alpharl.bench;

import java.util.List;

/**
 * What one implementation measured in a bench run.
 *
 * @param implementation        a label, e.g. "DJL 0.36 / libtorch 2.7.1" or "PyTorch 1.13.1 eager"
 * @param threads               intra-op threads it ran with
 * @param gemmGflops            rate of the settings' GEMM, fp32, median of single calls (half of them just before
 *                              and half just after the train steps)
 * @param rolloutTokensPerSecond generated tokens per second, prefill included (median of runs)
 * @param trainStepSeconds      one train step, forward + backward + optimizer (median of the timed steps)
 * @param trainLosses           the loss of every train step, warm-up steps first
 * @param firstGradNorm         the global L2 norm of the gradient of the first step (before any update)
 * @param peakRssBytes          peak resident memory of the process over the measurements above
 * @param optimizerStepSeconds  the AdamW step alone, over every weight (median over the timed train steps; part of
 *                              {@code trainStepSeconds})
 */
public record Measurements(
        String implementation,
        int threads,
        double gemmGflops,
        double rolloutTokensPerSecond,
        double trainStepSeconds,
        List<Double> trainLosses,
        double firstGradNorm,
        long peakRssBytes,
        double optimizerStepSeconds) {

    public Measurements {
        trainLosses = List.copyOf(trainLosses);
    }

    /** Achieved rate of the train step in GFLOP/s, counting {@code flops} per step. */
    public double trainGflops(TrainStepFlops flops) {
        return flops.total() / trainStepSeconds / 1e9;
    }
}
