package dev.alpharl.trainer.alpharl;

/**
 * What a snapshot keeps of one tracked matrix: the sign-aligned scaled left vector a = σ1·u1 (d_out floats), the
 * aligned right vector v1 (d_in floats), and scalars. Memory is O(d_out + d_in); no NDArray is held.
 *
 * @param overlap    |u1(t)·u1(t−1)|, or NaN for the first snapshot
 * @param flipped    whether the joint sign flip was applied to the raw SVD output
 * @param iterations block Lanczos steps (0 for the exact SVD)
 * @param converged  always true for new snapshots (an iteration that misses its tolerance is replaced by the exact
 *                   SVD); false in states written by earlier versions whose iteration stopped at its limit
 */
public record MatrixSnapshot(
        float[] a,
        float[] v,
        double sigma1,
        double sigma2,
        double frobenius,
        double overlap,
        boolean flipped,
        TopTriplet.Method method,
        int iterations,
        boolean converged) {

    /** Number of scalar fields counted by {@link #storedFloats}. */
    static final int SCALARS = 8;

    /** σ2/σ1 (0 for a zero update). */
    public double gapRatio() {
        return sigma1 > 0 ? sigma2 / sigma1 : 0;
    }

    /** The unit left vector u1 = a/σ1 in fp64. */
    public double[] unitU() {
        double[] u = Vectors.toDoubles(a);
        return sigma1 > 0 ? Vectors.scaled(u, 1 / sigma1) : u;
    }

    /** Floats (and scalars) this snapshot keeps: d_out + d_in + {@value #SCALARS}. */
    public long storedFloats() {
        return (long) a.length + v.length + SCALARS;
    }
}
