package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RELEX on a planted linear trajectory Δ_t = (α·t + β)·D + tiny noise. */
class RelexTest {

    private static final long[] STEPS = {10, 20, 30, 40, 50, 60};
    private static final double ALPHA = 0.02;
    private static final double BETA = 0.1;
    private static final double NOISE = 1e-5;

    private NDManager m;

    @TempDir
    Path tmp;

    private final Map<String, NDArray> base = new LinkedHashMap<>();
    private final Map<String, float[]> direction = new LinkedHashMap<>();

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
        SplittableRandom rnd = new SplittableRandom(17);
        Map<String, Shape> shapes = Map.of("embed", new Shape(10, 6), "proj", new Shape(6, 6), "norm", new Shape(6));
        for (String name : new String[] {"embed", "proj", "norm"}) {
            Shape shape = shapes.get(name);
            float[] w = new float[(int) shape.size()];
            float[] d = new float[w.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rnd.nextGaussian();
                d[i] = (float) (0.05 * rnd.nextGaussian());
            }
            base.put(name, m.create(w, shape));
            direction.put(name, d);
        }
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private Map<String, NDArray> weightsAt(long step, SplittableRandom rnd) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        base.forEach((name, b) -> {
            float[] v = b.toFloatArray();
            float[] d = direction.get(name);
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) ((ALPHA * step + BETA) * d[i] + NOISE * rnd.nextGaussian());
            }
            w.put(name, m.create(v, b.getShape()));
        });
        return w;
    }

    @Test
    void incrementalGramEqualsTheDirectOneAndSurvivesReopening() throws IOException {
        SplittableRandom rnd = new SplittableRandom(1);
        Map<Long, Map<String, NDArray>> ws = new LinkedHashMap<>();
        Path dir = tmp.resolve("relex");
        try (RelexTrajectory t = RelexTrajectory.create(dir, base, m)) {
            for (long s : STEPS) {
                ws.put(s, weightsAt(s, rnd));
                t.append(s, ws.get(s));
            }
            for (String name : base.keySet()) {
                double[][] g = t.gram(name);
                float[] b = base.get(name).toFloatArray();
                for (int i = 0; i < STEPS.length; i++) {
                    for (int j = 0; j < STEPS.length; j++) {
                        float[] wi = ws.get(STEPS[i]).get(name).toFloatArray();
                        float[] wj = ws.get(STEPS[j]).get(name).toFloatArray();
                        double dot = 0;
                        for (int k = 0; k < b.length; k++) {
                            dot += (double) (wi[k] - b[k]) * (wj[k] - b[k]);
                        }
                        assertThat(g[i][j]).isCloseTo(dot, within(1e-12 * Math.abs(dot) + 1e-15));
                    }
                }
            }
            try (RelexTrajectory reopened = RelexTrajectory.open(dir, base, m)) {
                assertThat(reopened.steps()).containsExactly(10L, 20L, 30L, 40L, 50L, 60L);
                for (String name : base.keySet()) {
                    assertThat(reopened.gram(name)).isDeepEqualTo(t.gram(name));
                }
            }
        }
    }

    @Test
    void extrapolatesThePlantedLineToAFarTargetStep() throws IOException {
        SplittableRandom rnd = new SplittableRandom(2);
        long target = 600; // 10× the last observed step
        try (RelexTrajectory t = RelexTrajectory.create(tmp.resolve("relex"), base, m);
                NDManager out = m.newSubManager()) {
            for (long s : STEPS) {
                t.append(s, weightsAt(s, rnd));
            }
            RelexPredictor.Prediction p = RelexPredictor.predict(t, target, out);
            double c = ALPHA * target + BETA;
            for (String name : base.keySet()) {
                float[] b = base.get(name).toFloatArray();
                float[] d = direction.get(name);
                float[] predicted = p.weights().get(name).toFloatArray();
                double err = 0;
                double ref = 0;
                for (int i = 0; i < b.length; i++) {
                    double expected = c * d[i];
                    err += Math.pow(predicted[i] - b[i] - expected, 2);
                    ref += expected * expected;
                }
                assertThat(Math.sqrt(err / ref)).as(name).isLessThan(1e-3);
                assertThat(p.weights().get(name).getShape())
                        .isEqualTo(base.get(name).getShape());
            }
            for (RelexFitReport.TensorFit f : p.report().tensors()) {
                assertThat(f.explainedVariance()).isGreaterThan(0.999999);
                assertThat(f.rSquared()).isGreaterThan(0.999999);
                // c_t = ⟨Δ_t, V⟩ = (α t + β)‖D‖ with V = D/‖D‖
                double dNorm = Vectors.norm(direction.get(f.name()));
                assertThat(f.slope()).isCloseTo(ALPHA * dNorm, within(1e-3 * ALPHA * dNorm));
                assertThat(f.targetCoefficient()).isCloseTo(c * dNorm, within(1e-3 * c * dNorm));
            }
            assertThat(p.report().steps()).containsExactly(10L, 20L, 30L, 40L, 50L, 60L);
        }
    }

    @Test
    void tensorsLeftOutKeepTheirLastObservedValue() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        Map<String, NDArray> last = null;
        try (RelexTrajectory t = RelexTrajectory.create(tmp.resolve("relex"), base, m);
                NDManager out = m.newSubManager()) {
            for (long s : STEPS) {
                last = weightsAt(s, rnd);
                t.append(s, last);
            }
            RelexPredictor.Prediction p = RelexPredictor.predict(t, 600, "proj"::equals, out);
            for (String kept : new String[] {"embed", "norm"}) {
                float[] expected = last.get(kept).toFloatArray();
                float[] got = p.weights().get(kept).toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    // θ_0 + Δ_k, with Δ_k stored in fp32: equal up to the rounding of one addition
                    assertThat(got[i]).as(kept).isCloseTo(expected[i], within(1e-6f * (1 + Math.abs(expected[i]))));
                }
            }
            float[] b = base.get("proj").toFloatArray();
            float[] d = direction.get("proj");
            float[] predicted = p.weights().get("proj").toFloatArray();
            double c = ALPHA * 600 + BETA;
            for (int i = 0; i < b.length; i++) {
                assertThat(predicted[i] - b[i]).isCloseTo((float) (c * d[i]), within(2e-3f * (float) c * 0.2f));
            }
            assertThat(p.report().tensors())
                    .extracting(RelexFitReport.TensorFit::name)
                    .containsExactly("proj");
        }
    }
}
