package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep's predictions from a window of 4 of 8 checkpoints. On the noiseless planted run W_t = W_0 + t·D (D rank 1
 * on every matrix), every variant that extrapolates linearly must land on W_8 exactly on the tensors it extrapolates,
 * and the others keep W_4; {@code add} lands on W_0 + (4 + 8)·D. On a random walk none comes near W_8.
 */
class WindowPredictionsTest {

    @TempDir
    Path root;

    private NDManager m;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /** Every prediction of the window k = 4, T = 8, horizon 1, as float arrays by label and tensor. */
    private Map<String, Map<String, float[]>> predictions(TinyRun run, Path trajectoryDir) throws IOException {
        Map<String, Map<String, float[]>> out = new LinkedHashMap<>();
        try (QwenModel w0 = HfCheckpoint.load(run.base, m);
                SnapshotRecorder recorder =
                        new SnapshotRecorder(w0.weights(), w0.projectionMatrices(), new Rank1(), m);
                RelexTrajectory trajectory = RelexTrajectory.create(trajectoryDir, w0.weights(), m)) {
            QwenModel wk = null;
            for (int t = 1; t <= 4; t++) {
                QwenModel ck = HfCheckpoint.load(run.checkpoints.get(t - 1), m);
                // rewards 0.1·t and accuracies 0.05·t: both linear in the step, the accuracy at T = 8 is 0.4
                recorder.record(t, ck.weights(), 0.1 * t, 0.05 * t);
                trajectory.append(t, ck.weights());
                if (t == 4) {
                    wk = ck;
                } else {
                    ck.close();
                }
            }
            try (QwenModel last = wk) {
                WindowPredictions.Window window = new WindowPredictions.Window(
                        recorder.snapshots(),
                        trajectory,
                        w0.weights(),
                        last.weights(),
                        w0.projectionMatrices(),
                        8,
                        0.4);
                WindowPredictions.each(
                        window,
                        new double[] {1.0},
                        (label, weights) -> {
                            Map<String, float[]> w = new LinkedHashMap<>();
                            weights.forEach((name, a) -> w.put(name, a.toFloatArray()));
                            out.put(label, w);
                        },
                        m);
            }
        }
        return out;
    }

    private Map<String, float[]> load(Path dir) {
        Map<String, float[]> w = new LinkedHashMap<>();
        try (QwenModel model = HfCheckpoint.load(dir, m)) {
            model.weights().forEach((name, a) -> w.put(name, a.toFloatArray()));
        }
        return w;
    }

    /** ‖a − b‖ / ‖c − b‖ over the given tensors. */
    private static double relative(
            Map<String, float[]> a, Map<String, float[]> b, Map<String, float[]> c, List<String> names) {
        double num = 0;
        double den = 0;
        for (String n : names) {
            for (int i = 0; i < a.get(n).length; i++) {
                num += Math.pow(a.get(n)[i] - c.get(n)[i], 2);
                den += Math.pow(c.get(n)[i] - b.get(n)[i], 2);
            }
        }
        return Math.sqrt(num / den);
    }

    @Test
    void onAPlantedLinearRunEveryLinearVariantLandsOnTheFinalWeights() throws IOException {
        TinyRun run = new TinyRun(root.resolve("linear"), 8, 0, m);
        Map<String, Map<String, float[]>> p = predictions(run, root.resolve("trajectory-linear"));
        assertThat(p.keySet())
                .containsExactly(
                        "alpharl replace y=reward h=1.00",
                        "alpharl replace y=accuracy h=1.00",
                        "alpharl add y=reward h=1.00",
                        "alpharl add y=accuracy h=1.00",
                        "relex all h=1.00",
                        "raw all h=1.00",
                        "relex matrices h=1.00",
                        "raw matrices h=1.00",
                        "alpharl replace y=accuracy y*=final",
                        "alpharl add y=accuracy y*=final");
        Map<String, float[]> w0 = load(run.base);
        Map<String, float[]> w4 = load(run.checkpoints.get(3));
        Map<String, float[]> w8 = load(run.checkpoints.get(7));
        List<String> matrices = List.copyOf(run.directions.keySet());
        List<String> others =
                w0.keySet().stream().filter(n -> !matrices.contains(n)).toList();
        List<String> all = List.copyOf(w0.keySet());
        // W_0 + 12·D on the matrices: W_8 + (W_4 − W_0)
        Map<String, float[]> w12 = new LinkedHashMap<>();
        w0.forEach((n, b) -> {
            float[] r = new float[b.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = w8.get(n)[i] + w4.get(n)[i] - b[i];
            }
            w12.put(n, r);
        });
        for (String label : List.of("relex all h=1.00", "raw all h=1.00")) {
            assertThat(relative(p.get(label), w0, w8, all)).as(label).isLessThan(1e-4);
        }
        for (String label : p.keySet()) {
            if (label.contains(" all ")) {
                continue;
            }
            Map<String, float[]> expected = label.startsWith("alpharl add") ? w12 : w8;
            assertThat(relative(p.get(label), w0, expected, matrices)).as(label).isLessThan(1e-4);
            // the untracked tensors keep W_4
            assertThat(relative(p.get(label), w0, w4, others)).as(label).isLessThan(1e-6);
        }
    }

    @Test
    void onARandomWalkNoVariantComesNearTheFinalWeights() throws IOException {
        TinyRun run = TinyRun.randomWalk(root.resolve("walk"), 8, 1e-3, m);
        Map<String, Map<String, float[]>> p = predictions(run, root.resolve("trajectory-walk"));
        Map<String, float[]> w0 = load(run.base);
        Map<String, float[]> w8 = load(run.checkpoints.get(7));
        List<String> matrices = List.copyOf(run.directions.keySet());
        assertThat(p).hasSize(10);
        for (String label : p.keySet()) {
            assertThat(relative(p.get(label), w0, w8, matrices)).as(label).isGreaterThan(0.3);
        }
    }
}
