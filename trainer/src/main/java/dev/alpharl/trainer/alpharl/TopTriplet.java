package dev.alpharl.trainer.alpharl;

/**
 * The top singular triplet of an update ΔW = σ1·u·vᵀ + … (u ∈ R^{d_out}, v ∈ R^{d_in}, unit vectors), with the
 * second singular value and ‖ΔW‖_F. Arrays are copies owned by this record.
 *
 * @param sigma2     σ2: exact (exact SVD), or the second Ritz value of the block Lanczos basis (a lower bound)
 * @param method     how the triplet was computed
 * @param iterations block Lanczos steps run (also when they ended in the exact fallback); 0 for the exact SVD
 * @param ritz       the top Ritz (or singular) right vectors, k rows of length d_in (row-major [k, d_in], v first):
 *                   the warm start of the next snapshot of the same matrix
 */
public record TopTriplet(
        double sigma1,
        double sigma2,
        double[] u,
        double[] v,
        double frobenius,
        Method method,
        int iterations,
        float[] ritz) {

    /** How a triplet was computed. */
    public enum Method {
        /** Thin SVD in fp64 (libtorch {@code linalg_svd}), chosen for a small matrix or by configuration. */
        EXACT,
        /** Warm-started block Lanczos in fp32 that met its stopping rule (ALPHARL.md §10). */
        ITERATIVE,
        /** Block Lanczos did not meet its stopping rule within its step limit; exact SVD instead (logged). */
        EXACT_FALLBACK,
        /** Exact, from a LoRA update's factors ΔW = s·B·A: QR of B and Aᵀ, SVD of an r×r matrix. */
        FACTORED;

        /**
         * The method of a saved name; {@code POWER} and {@code BLOCK}, written by the power-iteration versions of
         * {@link Rank1}, were iterative too.
         */
        public static Method parse(String name) {
            return switch (name) {
                case "POWER", "BLOCK" -> ITERATIVE;
                default -> valueOf(name);
            };
        }
    }

    /** σ2/σ1 (0 for a zero update): near 1 means u1 is ill-defined (ALPHARL.md §5). */
    public double gapRatio() {
        return sigma1 > 0 ? sigma2 / sigma1 : 0;
    }

    /** True when the iteration gave up and the exact SVD stood in. */
    public boolean fallback() {
        return method == Method.EXACT_FALLBACK;
    }

    /** The same triplet with (u, v) ← (−u, −v): u·vᵀ is unchanged; the Ritz block keeps v first. */
    public TopTriplet flipped() {
        float[] r = ritz.clone();
        for (int i = 0; i < v.length; i++) {
            r[i] = -r[i];
        }
        return new TopTriplet(sigma1, sigma2, Vectors.negate(u), Vectors.negate(v), frobenius, method, iterations, r);
    }
}
