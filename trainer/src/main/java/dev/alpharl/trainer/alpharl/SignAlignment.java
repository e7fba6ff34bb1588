package dev.alpharl.trainer.alpharl;

/**
 * Forward joint sign alignment of consecutive triplets (ALPHARL.md §5): an SVD returns (u, v) only up to a joint
 * sign, so when {@code u_t·u_{t−1} < 0} the pair is flipped, (u, v) ← (−u, −v), which leaves u·vᵀ unchanged and
 * makes every snapshot consistent with its predecessor (hence with the window's last one, up to one global sign).
 */
public final class SignAlignment {

    private SignAlignment() {}

    /**
     * Aligns {@code current} to the previous snapshot's left vector.
     *
     * @param previousU the aligned u1 of the previous snapshot (any positive scaling, e.g. σ1·u1), or null for the
     *                  first snapshot
     */
    public static Aligned align(TopTriplet current, float[] previousU) {
        if (previousU == null) {
            return new Aligned(current, false, Double.NaN);
        }
        double norm = Vectors.norm(previousU);
        double cosine = norm == 0 ? 0 : Vectors.dot(previousU, current.u()) / norm;
        boolean flip = cosine < 0;
        return new Aligned(flip ? current.flipped() : current, flip, Math.abs(cosine));
    }

    /**
     * @param overlap |u1(t)·u1(t−1)| (NaN for the first snapshot): below ~0.9 the top direction changed identity
     */
    public record Aligned(TopTriplet triplet, boolean flipped, double overlap) {}
}
