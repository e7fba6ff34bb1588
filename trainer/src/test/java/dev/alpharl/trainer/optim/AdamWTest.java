package dev.alpharl.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {

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

    /** Sets grad = c ⊙ w-independent constant by back-propagating Σ c ⊙ w. */
    private static void setGradients(NDArray w, float[] c, NDArray w2, float[] c2) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDManager mm = w.getManager();
            gc.backward(w.mul(mm.create(c)).sum().add(w2.mul(mm.create(c2)).sum()));
        }
    }

    @Test
    void matchesPyTorchAdamWFormulaWithTwoGroups() {
        float[] w0 = {0.5f, -1.0f, 2.0f};
        float[] b0 = {0.1f, 0.2f};
        NDArray w = m.create(w0);
        NDArray b = m.create(b0);
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        double lr = 0.01, wd = 0.1, b1 = 0.9, b2 = 0.95, eps = 1e-8;
        AdamW opt = new AdamW(
                List.of(new ParamGroup("decay", Map.of("w", w), wd), new ParamGroup("no_decay", Map.of("b", b), 0.0)),
                b1,
                b2,
                eps,
                m);
        float[][] gw = {{1f, -2f, 0.5f}, {0.3f, 0.3f, -1f}, {-2f, 1f, 0f}};
        float[][] gb = {{0.2f, -0.1f}, {1f, 1f}, {-0.5f, 0f}};

        // reference: PyTorch's AdamW in plain doubles
        double[] ew = {0.5, -1.0, 2.0}, eb = {0.1, 0.2};
        double[] mw = new double[3], vw = new double[3], mb = new double[2], vb = new double[2];
        for (int t = 1; t <= 3; t++) {
            setGradients(w, gw[t - 1], b, gb[t - 1]);
            try (NDManager step = m.newSubManager()) {
                opt.step(lr, step);
            }
            reference(ew, mw, vw, gw[t - 1], t, lr, wd, b1, b2, eps);
            reference(eb, mb, vb, gb[t - 1], t, lr, 0.0, b1, b2, eps);
        }
        float[] gotW = w.toFloatArray(), gotB = b.toFloatArray();
        for (int i = 0; i < 3; i++) {
            assertThat((double) gotW[i]).isCloseTo(ew[i], within(1e-6));
        }
        for (int i = 0; i < 2; i++) {
            assertThat((double) gotB[i]).isCloseTo(eb[i], within(1e-6));
        }
        assertThat(opt.steps()).isEqualTo(3);
        // gradients were zeroed after each update
        assertThat(w.getGradient().abs().sum().getFloat()).isZero();
        opt.close();
    }

    private static void reference(
            double[] w,
            double[] m,
            double[] v,
            float[] g,
            int t,
            double lr,
            double wd,
            double b1,
            double b2,
            double eps) {
        for (int i = 0; i < w.length; i++) {
            w[i] *= 1 - lr * wd;
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
            w[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
        }
    }

    @Test
    void firstStepMovesEachEntryByLrTimesSignOfGradient() {
        NDArray w = m.create(new float[] {1f, 1f});
        w.setRequiresGradient(true);
        NDArray unused = m.create(new float[] {3f});
        unused.setRequiresGradient(true);
        AdamW opt = new AdamW(List.of(new ParamGroup("all", Map.of("w", w), 0.0)), 0.9, 0.999, 1e-12, m);
        setGradients(w, new float[] {5f, -0.001f}, unused, new float[] {0f});
        try (NDManager step = m.newSubManager()) {
            opt.step(0.1, step);
        }
        assertThat(w.toFloatArray()).containsExactly(new float[] {0.9f, 1.1f}, within(1e-6f));
        opt.close();
    }

    @Test
    void stateRoundTripRestoresMoments() {
        NDArray w = m.create(new float[] {1f, 2f});
        w.setRequiresGradient(true);
        NDArray z = m.create(new float[] {0f});
        z.setRequiresGradient(true);
        AdamW a = new AdamW(List.of(new ParamGroup("all", Map.of("w", w), 0.0)), 0.9, 0.99, 1e-8, m);
        setGradients(w, new float[] {1f, -1f}, z, new float[] {0f});
        try (NDManager step = m.newSubManager()) {
            a.step(0.1, step);
        }
        AdamW b = new AdamW(List.of(new ParamGroup("all", Map.of("w", w), 0.0)), 0.9, 0.99, 1e-8, m);
        b.restore(a.state(), a.steps());
        assertThat(b.state().get("m.w").toFloatArray()).containsExactly(0.1f, -0.1f);
        assertThat(b.state().get("v.w").toFloatArray()).containsExactly(new float[] {0.01f, 0.01f}, within(1e-7f));
        assertThat(b.steps()).isEqualTo(1);
        a.close();
        b.close();
    }

    @Test
    void globalNormClipReturnsPreClipNormAndScales() {
        NDArray a = m.create(new float[] {0f, 0f});
        NDArray b = m.create(new float[] {0f});
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        setGradients(a, new float[] {3f, 4f}, b, new float[] {12f});
        try (NDManager step = m.newSubManager()) {
            double norm = GradientClipping.clip(List.of(a, b), 6.5, step);
            assertThat(norm).isCloseTo(13.0, within(1e-6));
            assertThat(GradientClipping.globalNorm(List.of(a, b), step)).isCloseTo(6.5, within(1e-5));
            assertThat(a.getGradient().toFloatArray()).containsExactly(new float[] {1.5f, 2f}, within(1e-5f));
            // below the threshold nothing changes
            assertThat(GradientClipping.clip(List.of(a, b), 100, step)).isCloseTo(6.5, within(1e-5));
            assertThat(b.getGradient().getFloat(0)).isCloseTo(6f, within(1e-5f));
        }
    }

    @Test
    void nonFiniteNormIsReportedAndGradientsLeftAlone() {
        NDArray a = m.create(new float[] {0f, 0f});
        NDArray b = m.create(new float[] {0f});
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        setGradients(a, new float[] {Float.NaN, 1f}, b, new float[] {1f});
        try (NDManager step = m.newSubManager()) {
            assertThat(GradientClipping.clip(List.of(a, b), 1.0, step)).isNaN();
            assertThat(b.getGradient().getFloat(0)).isEqualTo(1f);
        }
    }

    @Test
    void lrSchedulesFollowHuggingFaceFormulas() {
        LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 1e-3, 10, 110, 0.0);
        assertThat(cos.lr(0)).isZero();
        assertThat(cos.lr(5)).isCloseTo(5e-4, within(1e-12));
        assertThat(cos.lr(10)).isCloseTo(1e-3, within(1e-12));
        assertThat(cos.lr(60)).isCloseTo(5e-4, within(1e-12)); // halfway: ½(1 + cos(π/2))
        assertThat(cos.lr(35)).isCloseTo(1e-3 * 0.5 * (1 + Math.cos(Math.PI / 4)), within(1e-12));
        assertThat(cos.lr(110)).isCloseTo(0.0, within(1e-15));
        LrSchedule cosMin = new LrSchedule(LrSchedule.Kind.COSINE, 1e-3, 0, 100, 0.1);
        assertThat(cosMin.lr(100)).isCloseTo(1e-4, within(1e-12));
        assertThat(cosMin.lr(50)).isCloseTo(1e-3 * (0.1 + 0.9 * 0.5), within(1e-12));
        LrSchedule lin = new LrSchedule(LrSchedule.Kind.LINEAR, 2e-3, 4, 24, 0.0);
        assertThat(lin.lr(2)).isCloseTo(1e-3, within(1e-12));
        assertThat(lin.lr(4)).isCloseTo(2e-3, within(1e-12));
        assertThat(lin.lr(14)).isCloseTo(1e-3, within(1e-12)); // (24 − 14) / 20
        assertThat(lin.lr(30)).isZero();
        LrSchedule constant = new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-6, 2, 100, 0.0);
        assertThat(constant.lr(1)).isCloseTo(5e-7, within(1e-15));
        assertThat(constant.lr(99)).isEqualTo(1e-6);
        assertThat(LrSchedule.Kind.parse("Cosine")).isEqualTo(LrSchedule.Kind.COSINE);
    }
}
