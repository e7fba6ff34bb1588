package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A planted window in which the rank-1 term of "lin" grows linearly with the reward, ΔW_t = (0.5 + 2·y_t)·5·u vᵀ,
 * while "tie" has two equal singular values (no gap) and "bias" is a 1-D tensor.
 */
class AlphaRlPredictorTest {

    private static final double[] Y = {0.1, 0.2, 0.3, 0.4, 0.5};
    private static final double Y_STAR = 0.9;

    private NDManager m;
    private final Map<String, NDArray> w0 = new LinkedHashMap<>();
    private final Map<String, NDArray> wk = new LinkedHashMap<>();
    private double[] u;
    private double[] v;
    private SnapshotRecorder recorder;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
        SplittableRandom rnd = new SplittableRandom(4);
        u = Rank1Test.unit(rnd, 7);
        v = Rank1Test.unit(rnd, 5);
        double[] u2 = Rank1Test.unit(rnd, 7);
        double[] v2 = Rank1Test.unit(rnd, 5);
        w0.put("lin", random(rnd, new Shape(7, 5)));
        w0.put("tie", random(rnd, new Shape(7, 5)));
        w0.put("bias", random(rnd, new Shape(5)));
        recorder = new SnapshotRecorder(w0, List.of("lin", "tie"), new Rank1(), m);
        for (int t = 0; t < Y.length; t++) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            w.put("lin", w0.get("lin").add(outer(u, v, (0.5 + 2 * Y[t]) * 5)));
            // equal singular values along two orthogonalised directions: σ2/σ1 = 1
            w.put("tie", w0.get("tie").add(outer(u, v, Y[t])).add(outer(orthogonal(u2, u), orthogonal(v2, v), Y[t])));
            w.put("bias", w0.get("bias").add(0.01f * (t + 1)));
            recorder.record(10L * (t + 1), w, Y[t], null);
            if (t == Y.length - 1) {
                wk.putAll(w);
            }
        }
    }

    @AfterEach
    void tearDown() {
        recorder.close();
        m.close();
    }

    private NDArray random(SplittableRandom rnd, Shape shape) {
        float[] x = new float[(int) shape.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return m.create(x, shape);
    }

    private NDArray outer(double[] a, double[] b, double scale) {
        float[] x = new float[a.length * b.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                x[i * b.length + j] = (float) (scale * a[i] * b[j]);
            }
        }
        return m.create(x, new Shape(a.length, b.length));
    }

    private static double[] orthogonal(double[] x, double[] against) {
        double c = Vectors.dot(x, against);
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            r[i] = x[i] - c * against[i];
        }
        return Vectors.scaled(r, 1 / Vectors.norm(r));
    }

    private float[] predicted(AlphaRlConfig.Assembly variant, String name, AlphaRlFitReport[] report) {
        try (NDManager out = m.newSubManager()) {
            AlphaRlPredictor.Prediction p = AlphaRlPredictor.predict(
                    recorder.snapshots(), w0, wk, new AlphaRlPredictor.Options(Y_STAR, variant), out);
            report[0] = p.report();
            return p.weights().get(name).toFloatArray();
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).containsExactly(expected, within(2e-5f));
    }

    @Test
    void replaceMovesTheRankOneTermToItsValueAtTheTargetReward() {
        AlphaRlFitReport[] report = new AlphaRlFitReport[1];
        float[] lin = predicted(AlphaRlConfig.Assembly.REPLACE, "lin", report);
        // W_k − (0.5 + 2·0.5)·5 u vᵀ + (0.5 + 2·0.9)·5 u vᵀ = W_0 + 11.5 u vᵀ
        assertClose(lin, w0.get("lin").add(outer(u, v, (0.5 + 2 * Y_STAR) * 5)).toFloatArray());
        AlphaRlFitReport.MatrixFit fit = report[0].matrices().get(0);
        assertThat(fit.name()).isEqualTo("lin");
        assertThat(fit.rSquared()).isCloseTo(1, within(1e-9));
        assertThat(fit.excluded()).isNull();
        assertThat(fit.predictedNorm()).isCloseTo(11.5, within(1e-4));
        assertThat(report[0].ySource()).isEqualTo("mean_reward");
        assertThat(report[0].windowSteps()).containsExactly(10L, 20L, 30L, 40L, 50L);
    }

    @Test
    void gaplessMatrixIsExcludedAndKeepsItsVariantsBase() {
        AlphaRlFitReport[] report = new AlphaRlFitReport[1];
        assertThat(predicted(AlphaRlConfig.Assembly.REPLACE, "tie", report))
                .containsExactly(wk.get("tie").toFloatArray());
        AlphaRlFitReport.MatrixFit tie = report[0].matrices().get(1);
        assertThat(tie.excluded()).contains("gap ratio");
        assertThat(tie.gapRatio()).isCloseTo(1, within(1e-4));
        assertThat(report[0].predicted()).isEqualTo(1);
        assertThat(report[0].excluded()).isEqualTo(1);
        assertThat(predicted(AlphaRlConfig.Assembly.BASE, "tie", report))
                .containsExactly(w0.get("tie").toFloatArray());
        assertThat(predicted(AlphaRlConfig.Assembly.BASE, "bias", report))
                .containsExactly(w0.get("bias").toFloatArray());
        assertThat(predicted(AlphaRlConfig.Assembly.ADD, "bias", report))
                .containsExactly(wk.get("bias").toFloatArray());
    }

    @Test
    void addAndBaseVariantsUseThePredictionAsTheirOwnFormulasSay() {
        AlphaRlFitReport[] report = new AlphaRlFitReport[1];
        // add: W_k + â v_kᵀ = W_0 + (7.5 + 11.5) u vᵀ ; base: W_0 + â v_kᵀ = W_0 + 11.5 u vᵀ
        assertClose(
                predicted(AlphaRlConfig.Assembly.ADD, "lin", report),
                w0.get("lin").add(outer(u, v, 19)).toFloatArray());
        assertClose(
                predicted(AlphaRlConfig.Assembly.BASE, "lin", report),
                w0.get("lin").add(outer(u, v, 11.5)).toFloatArray());
    }

    @Test
    void evalAccuracyIsTheResponseOnlyWhenEverySnapshotHasOne() {
        Snapshot a = new Snapshot(1, 0.2, 0.7, Map.of());
        Snapshot b = new Snapshot(2, 0.3, null, Map.of());
        Snapshot c = new Snapshot(3, 0.4, 0.8, Map.of());
        assertThat(AlphaRlPredictor.responses(List.of(a, b, c))).containsExactly(0.2, 0.3, 0.4);
        assertThat(AlphaRlPredictor.responses(List.of(a, c))).containsExactly(0.7, 0.8);
    }
}
