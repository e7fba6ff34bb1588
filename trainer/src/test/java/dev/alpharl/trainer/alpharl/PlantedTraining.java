package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.model.QwenModel;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Emulated training of {@link TinyRun#CONFIG}: W_t = W_0 + 0.1·t·D + noise·N(0,1) with W_0 the seeded random model,
 * D = 0.05·u vᵀ (unit u, v) for each projection matrix and 0.01·N(0,1) entries for every other tensor, and the
 * noise drawn from a generator seeded by t (so the weights of a step are the same in every run).
 */
final class PlantedTraining {

    static final long BASE_SEED = 3;

    final Map<String, Shape> shapes = new LinkedHashMap<>();
    final Map<String, float[]> base = new LinkedHashMap<>();
    final Map<String, float[]> direction = new LinkedHashMap<>();
    private final double noise;

    PlantedTraining(double noise, NDManager m) {
        this.noise = noise;
        SplittableRandom rnd = new SplittableRandom(41);
        try (QwenModel w0 = base(m)) {
            java.util.Set<String> projections = new java.util.HashSet<>(w0.projectionMatrices());
            w0.weights().forEach((name, w) -> {
                shapes.put(name, w.getShape());
                base.put(name, w.toFloatArray());
                float[] d = new float[(int) w.getShape().size()];
                if (projections.contains(name)) {
                    long[] s = w.getShape().getShape();
                    double[] u = Rank1Test.unit(rnd, (int) s[0]);
                    double[] v = Rank1Test.unit(rnd, (int) s[1]);
                    for (int i = 0; i < d.length; i++) {
                        d[i] = (float) (0.05 * u[(int) (i / s[1])] * v[(int) (i % s[1])]);
                    }
                } else {
                    for (int i = 0; i < d.length; i++) {
                        d[i] = (float) (0.01 * rnd.nextGaussian());
                    }
                }
                direction.put(name, d);
            });
        }
    }

    /** W_0: the model every hook loads as its base. */
    static QwenModel base(NDManager m) {
        return QwenModel.random(TinyRun.CONFIG, BASE_SEED, DataType.FLOAT32, m);
    }

    /** The weights of step t, noise included. */
    Map<String, float[]> weightsAt(long t) {
        SplittableRandom rnd = new SplittableRandom(1000 + t);
        Map<String, float[]> w = new LinkedHashMap<>();
        base.forEach((name, b) -> {
            float[] d = direction.get(name);
            float[] v = new float[b.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (b[i] + 0.1 * t * d[i] + noise * rnd.nextGaussian());
            }
            w.put(name, v);
        });
        return w;
    }

    /** The noiseless W_0 + 0.1·t·D of one tensor. */
    float[] planted(String name, double t) {
        float[] b = base.get(name);
        float[] d = direction.get(name);
        float[] v = new float[b.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (b[i] + 0.1 * t * d[i]);
        }
        return v;
    }

    /** Overwrites the live weights of {@code policy} with those of step t (as an optimizer step would). */
    void advance(QwenModel policy, long t) {
        weightsAt(t).forEach((name, v) -> policy.weights().get(name).set(FloatBuffer.wrap(v)));
    }

    /** The weights of step t as arrays on {@code m}. */
    Map<String, NDArray> arraysAt(long t, NDManager m) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        weightsAt(t).forEach((name, v) -> w.put(name, m.create(v, shapes.get(name))));
        return w;
    }
}
