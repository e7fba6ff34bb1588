package dev.alpharl.trainer.alpharl;

/**
 * The top singular triplet of an update ΔW = σ1·u·vᵀ + … (u ∈ R^{d_out}, v ∈ R^{d_in}, unit vectors), with the
 * second singular value (exact or estimated) and ‖ΔW‖_F. Vectors are fp64 copies owned by this record.
 *
 * @param sigma2     σ2 exactly (exact SVD, block iteration) or a lower-bound estimate (deflated power iteration)
 * @param method     how the triplet was computed
 * @param iterations iterations run (0 for the exact SVD)
 * @param converged  false when the iteration stopped at its limit without meeting the tolerance
 */
public record TopTriplet(
        double sigma1,
        double sigma2,
        double[] u,
        double[] v,
        double frobenius,
        Method method,
        int iterations,
        boolean converged) {

    /** How a triplet was computed. */
    public enum Method {
        /** Thin SVD in fp64 (libtorch {@code linalg_svd}). */
        EXACT,
        /** Warm-started power iteration. */
        POWER,
        /** Block (subspace) iteration with a Rayleigh–Ritz step: the fallback when σ1 ≈ σ2 (flagged). */
        BLOCK,
        /** Exact, from a LoRA update's factors ΔW = s·B·A: QR of B and Aᵀ, SVD of an r×r matrix. */
        FACTORED
    }

    /** σ2/σ1 (0 for a zero update): near 1 means u1 is ill-defined (ALPHARL.md §5). */
    public double gapRatio() {
        return sigma1 > 0 ? sigma2 / sigma1 : 0;
    }

    /** True when the gap fallback (block iteration) was needed. */
    public boolean fallback() {
        return method == Method.BLOCK;
    }

    /** The same triplet with (u, v) ← (−u, −v): u·vᵀ is unchanged. */
    public TopTriplet flipped() {
        return new TopTriplet(
                sigma1, sigma2, Vectors.negate(u), Vectors.negate(v), frobenius, method, iterations, converged);
    }
}
