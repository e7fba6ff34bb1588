package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A tiny random Qwen base and checkpoints W_t = W_0 + drift·t·(0.01·u_m v_mᵀ per projection matrix, 0.001·d for
 * other tensors) + noise·N(0,1) + walk·Σ_{s≤t} g_s (g_s iid N(0,1) entries: a random walk), saved as HF directories
 * {@code base/} and {@code step-00000t/}.
 */
final class TinyRun {

    static final QwenConfig CONFIG = QwenConfig.tiny("qwen2", 16, 24, 2, 4, 2, 4, 32, true);

    final Path base;
    final List<Path> checkpoints = new ArrayList<>();
    /** The planted unit directions per projection matrix: u (d_out) and v (d_in). */
    final Map<String, double[][]> directions = new LinkedHashMap<>();

    /** The planted linear rank-1 run with noise: drift 1, no walk. */
    TinyRun(Path root, int steps, double noise, NDManager m) {
        this(root, steps, 1, noise, 0, m);
    }

    /** A pure random walk with steps of {@code walk}·N(0,1) per entry. */
    static TinyRun randomWalk(Path root, int steps, double walk, NDManager m) {
        return new TinyRun(root, steps, 0, 0, walk, m);
    }

    TinyRun(Path root, int steps, double drift, double noise, double walk, NDManager m) {
        SplittableRandom rnd = new SplittableRandom(21);
        Map<String, double[]> position = new LinkedHashMap<>();
        base = root.resolve("base");
        try (QwenModel w0 = QwenModel.random(CONFIG, 3, DataType.FLOAT32, m)) {
            HfCheckpoint.save(w0, base, SafetensorsDtype.F32, null);
            for (String name : w0.projectionMatrices()) {
                long[] s = w0.weights().get(name).getShape().getShape();
                directions.put(name, new double[][] {Rank1Test.unit(rnd, (int) s[0]), Rank1Test.unit(rnd, (int) s[1])});
            }
            Map<String, float[]> other = new LinkedHashMap<>();
            w0.weights().forEach((name, w) -> {
                float[] d = new float[(int) w.getShape().size()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) rnd.nextGaussian();
                }
                other.put(name, d);
            });
            for (int t = 1; t <= steps; t++) {
                Map<String, NDArray> w = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : w0.weights().entrySet()) {
                    float[] v = e.getValue().toFloatArray();
                    double[][] uv = directions.get(e.getKey());
                    float[] d = other.get(e.getKey());
                    long cols = e.getValue().getShape().dimension() == 2
                            ? e.getValue().getShape().get(1)
                            : 1;
                    double[] x = position.computeIfAbsent(e.getKey(), n -> new double[v.length]);
                    for (int i = 0; i < v.length; i++) {
                        double planted =
                                uv != null ? 0.01 * uv[0][(int) (i / cols)] * uv[1][(int) (i % cols)] : 0.001 * d[i];
                        if (walk > 0) {
                            x[i] += walk * rnd.nextGaussian();
                        }
                        v[i] += (float) (drift * t * planted + noise * rnd.nextGaussian() + x[i]);
                    }
                    w.put(e.getKey(), m.create(v, e.getValue().getShape()));
                }
                Path dir = root.resolve(String.format("step-%06d", t));
                try (QwenModel ck = QwenModel.of(CONFIG, w, m)) {
                    HfCheckpoint.save(ck, dir, SafetensorsDtype.F32, null);
                }
                checkpoints.add(dir);
            }
        }
    }

    String checkpointList(int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            b.append(i > 0 ? "," : "").append(checkpoints.get(i));
        }
        return b.toString();
    }
}
