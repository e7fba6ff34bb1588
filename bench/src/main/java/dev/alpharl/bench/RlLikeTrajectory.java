package dev.alpharl.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A synthetic RL-like update trajectory of a model's projection matrices, the premise of AlphaRL (ALPHARL.md §2): after
 * t steps, ΔW_t = t·α·X·diag(c)·Yᵀ + Σ_{s ≤ t} η·G_s, with X [d_out, 4] and Y [d_in, 4] fixed orthonormal
 * directions per matrix, c = (1, 0.9, 0.75, 0.6) (a dominant rank-1 part with σ2/σ1 ≈ 0.9, as the updates in
 * {@code SnapshotAccuracyTest} and the bench model have) and a random walk of i.i.d. N(0, η²) entries G_s. Each
 * {@link #advance} adds one step's α·X·diag(c)·Yᵀ + η·G in place to fp32 weights; draws are seeded by matrix and step.
 */
final class RlLikeTrajectory implements AutoCloseable {

    static final double[] PLANTED = {1, 0.9, 0.75, 0.6};

    private final double alpha;
    private final double eta;
    private final long seed;
    private final NDManager manager;
    /** X·diag(c) and Y per matrix: O(d_out + d_in) each. */
    private final Map<String, NDArray[]> directions = new LinkedHashMap<>();

    private int steps;

    /**
     * @param alpha the planted rank-1 part's growth per step (its σ1 after t steps is t·α)
     * @param eta   the noise's standard deviation per entry and step
     */
    RlLikeTrajectory(Map<String, NDArray> weights, List<String> tracked, double alpha, double eta, long seed) {
        this.alpha = alpha;
        this.eta = eta;
        this.seed = seed;
        this.manager = weights.get(tracked.get(0)).getManager().newSubManager();
        int i = 0;
        for (String name : tracked) {
            Shape s = weights.get(name).getShape();
            NDArray c = manager.create(plantedFloats());
            NDArray x = orthonormal(s.get(0), mix(seed, i, -1));
            NDArray y = orthonormal(s.get(1), mix(seed, i, -2));
            directions.put(name, new NDArray[] {x.mul(c), y});
            c.close();
            x.close();
            i++;
        }
    }

    /** Adds one step to every tracked matrix of {@code weights} (fp32, in place). */
    void advance(Map<String, NDArray> weights) {
        steps++;
        int i = 0;
        for (Map.Entry<String, NDArray[]> e : directions.entrySet()) {
            NDArray w = weights.get(e.getKey());
            long drawSeed = mix(seed, i++, steps);
            StepScope.run(w.getManager(), scope -> {
                NDArray planted = scope.own(e.getValue()[0].matMul(e.getValue()[1].transpose()));
                NDArray noise = scope.own(
                        TorchOps.randomNormal(scope.manager(), w.getShape(), DataType.FLOAT32, eta, drawSeed));
                w.addi(planted.muli(alpha)).addi(noise);
                return null;
            });
        }
    }

    int steps() {
        return steps;
    }

    /** k = 4 orthonormal columns of length n: the Q of a seeded Gaussian matrix. */
    private NDArray orthonormal(long n, long drawSeed) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray g = TorchOps.randomNormal(scope, new Shape(n, PLANTED.length), DataType.FLOAT32, 1, drawSeed);
            try (TorchOps.Qr qr = TorchOps.of(g).qr(g)) {
                NDArray q = qr.q().duplicate();
                q.attach(manager);
                return q;
            }
        }
    }

    private static float[] plantedFloats() {
        float[] c = new float[PLANTED.length];
        for (int k = 0; k < c.length; k++) {
            c[k] = (float) PLANTED[k];
        }
        return c;
    }

    private static long mix(long seed, int matrix, long step) {
        return seed * 0x9E3779B97F4A7C15L + matrix * 1_000_003L + step;
    }

    @Override
    public void close() {
        manager.close();
    }
}
