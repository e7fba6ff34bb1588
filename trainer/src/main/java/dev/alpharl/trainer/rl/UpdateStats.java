package dev.alpharl.trainer.rl;

/**
 * What one step's policy update did, averaged over its optimizer steps (token-weighted for per-token quantities).
 * {@code skipped} counts optimizer steps whose loss or gradient was not finite: their update was not applied.
 */
public record UpdateStats(
        double loss,
        double clipFraction,
        double clipFractionLow,
        double clipFractionHigh,
        double approxKl,
        double entropy,
        double kl,
        double gradNorm,
        int optimizerSteps,
        int skipped,
        double valueLoss) {}
