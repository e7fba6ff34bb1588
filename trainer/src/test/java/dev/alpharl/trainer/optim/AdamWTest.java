package dev.alpharl.trainer.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
            opt.step(lr);
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

    /**
     * The fused kernel against the per-parameter formula the optimizer used before it ({@link PerParameterAdamW}):
     * random weights and gradients of mixed magnitudes, two groups with different weight decay, six steps with a
     * changing learning rate and non-default betas. The two differ only in float rounding (the kernel computes the
     * first moment as a lerp and multiplies before it divides), so weights and moments agree to 1e-6 of their
     * largest magnitude.
     */
    @Test
    void fusedUpdateMatchesPerParameterFormulaOverSeveralSteps() {
        SplittableRandom random = new SplittableRandom(11);
        Shape[] shapes = {new Shape(33, 17), new Shape(8, 5, 3), new Shape(64), new Shape(1)};
        double[] decays = {0.1, 0.1, 0.01, 0.01};
        Map<String, NDArray> heavy = new LinkedHashMap<>();
        Map<String, NDArray> light = new LinkedHashMap<>();
        List<NDArray> fused = new ArrayList<>();
        List<NDArray> reference = new ArrayList<>();
        List<NDArray> initial = new ArrayList<>();
        List<Double> referenceDecays = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            float[] w0 = normals(random, shapes[i].size(), 0.5);
            NDArray w = m.create(w0, shapes[i]);
            w.setRequiresGradient(true);
            (decays[i] == 0.1 ? heavy : light).put("p" + i, w);
            fused.add(w);
            reference.add(m.create(w0, shapes[i]));
            initial.add(m.create(w0, shapes[i]));
            referenceDecays.add(decays[i]);
        }
        double b1 = 0.8, b2 = 0.99, eps = 1e-8;
        AdamW opt = new AdamW(
                List.of(new ParamGroup("heavy", heavy, 0.1), new ParamGroup("light", light, 0.01)), b1, b2, eps, m);
        PerParameterAdamW perParameter = new PerParameterAdamW(reference, referenceDecays, b1, b2, eps);
        for (int t = 1; t <= 6; t++) {
            try (NDManager step = m.newSubManager()) {
                List<NDArray> grads = new ArrayList<>();
                for (int i = 0; i < shapes.length; i++) {
                    // magnitudes from 1e-4 to 1 across parameters and steps
                    double scale = Math.pow(10, -random.nextInt(5));
                    grads.add(step.create(normals(random, shapes[i].size(), scale), shapes[i]));
                }
                backpropagate(fused, grads);
                double lr = 0.01 / t;
                opt.step(lr);
                perParameter.step(lr, grads);
            }
        }
        assertThat(maxRelativeDifference(fused, reference)).isLessThanOrEqualTo(1e-6);
        List<NDArray> firstMoments = new ArrayList<>();
        List<NDArray> secondMoments = new ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            firstMoments.add(opt.state().get("m.p" + i));
            secondMoments.add(opt.state().get("v.p" + i));
        }
        assertThat(maxRelativeDifference(firstMoments, perParameter.firstMoments()))
                .isLessThanOrEqualTo(1e-6);
        assertThat(maxRelativeDifference(secondMoments, perParameter.secondMoments()))
                .isLessThanOrEqualTo(1e-6);
        // the updates are far above that tolerance: the comparison is not between two barely moved copies
        assertThat(maxRelativeDifference(fused, initial)).isGreaterThan(1e-2);
        for (NDArray w : fused) {
            assertThat(w.getGradient().abs().max().getFloat()).isZero();
        }
        opt.close();
    }

    /** Sets each array's gradient to the matching entry of {@code grads} by back-propagating Σ_i Σ grads_i ⊙ w_i. */
    private static void backpropagate(List<NDArray> weights, List<NDArray> grads) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (int i = 0; i < weights.size(); i++) {
                NDArray term = grads.get(i).mul(weights.get(i)).sum();
                loss = loss == null ? term : loss.add(term);
            }
            gc.backward(loss);
        }
    }

    private static float[] normals(SplittableRandom random, long n, double scale) {
        float[] out = new float[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            // Box–Muller
            double u = 1.0 - random.nextDouble();
            out[i] = (float) (scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return out;
    }

    /** max_i max |a_i − b_i| / max_i max |b_i| over pairs of arrays of equal shapes. */
    private static double maxRelativeDifference(List<NDArray> a, List<NDArray> b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.size(); i++) {
            float[] x = a.get(i).toFloatArray();
            float[] y = b.get(i).toFloatArray();
            for (int j = 0; j < x.length; j++) {
                float yj = y[j];
                diff = Math.max(diff, Math.abs((double) x[j] - yj));
                scale = Math.max(scale, Math.abs(yj));
            }
        }
        return scale == 0 ? diff : diff / scale;
    }

    /** As in PyTorch, a parameter whose gradient was never computed keeps its value and its moments. */
    @Test
    void parameterWithoutGradientIsSkipped() {
        NDArray w = m.create(new float[] {1f, -1f});
        NDArray idle = m.create(new float[] {2f, 3f});
        w.setRequiresGradient(true);
        idle.setRequiresGradient(true);
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("w", w);
        params.put("idle", idle);
        AdamW opt = new AdamW(List.of(new ParamGroup("all", params, 0.5)), 0.9, 0.999, 1e-8, m);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(w.mul(m.create(new float[] {1f, 1f})).sum());
        }
        opt.step(0.1);
        // w: decayed by 1 − lr·λ = 0.95, then moved by lr against the sign of its gradient
        assertThat(w.toFloatArray()).containsExactly(new float[] {0.85f, -1.05f}, within(1e-6f));
        assertThat(idle.toFloatArray()).containsExactly(2f, 3f);
        assertThat(opt.state().get("m.idle").toFloatArray()).containsExactly(0f, 0f);
        assertThat(GradientClipping.globalNorm(List.of(w, idle))).isZero();
        opt.close();
    }

    /** The clipping kernel against a double-precision norm of random gradients of several arrays. */
    @Test
    void clipMatchesDoublePrecisionNormOnRandomGradients() {
        SplittableRandom random = new SplittableRandom(5);
        List<NDArray> weights = new ArrayList<>();
        List<NDArray> grads = new ArrayList<>();
        double sumSquares = 0;
        for (long n : new long[] {1000, 37, 1}) {
            float[] g = normals(random, n, 2.0);
            for (float x : g) {
                sumSquares += (double) x * x;
            }
            NDArray w = m.zeros(new Shape(n));
            w.setRequiresGradient(true);
            weights.add(w);
            grads.add(m.create(g));
        }
        backpropagate(weights, grads);
        double expected = Math.sqrt(sumSquares);
        double maxNorm = expected / 4;
        assertThat(GradientClipping.clip(weights, maxNorm)).isCloseTo(expected, within(1e-6 * expected));
        double coef = maxNorm / (expected + 1e-6);
        for (int i = 0; i < weights.size(); i++) {
            float[] got = weights.get(i).getGradient().toFloatArray();
            float[] before = grads.get(i).toFloatArray();
            for (int j = 0; j < got.length; j++) {
                assertThat((double) got[j]).isCloseTo(before[j] * coef, within(1e-6 * Math.abs(before[j]) + 1e-12));
            }
        }
        assertThat(GradientClipping.globalNorm(weights)).isCloseTo(maxNorm, within(1e-6 * maxNorm));
    }

    @Test
    void zeroGradientsClearsEveryGradientWithoutUpdating() {
        NDArray w = m.create(new float[] {1f, 2f});
        w.setRequiresGradient(true);
        NDArray z = m.create(new float[] {0f});
        z.setRequiresGradient(true);
        AdamW opt = new AdamW(List.of(new ParamGroup("all", Map.of("w", w), 0.0)), 0.9, 0.99, 1e-8, m);
        setGradients(w, new float[] {1f, -1f}, z, new float[] {0f});
        opt.zeroGradients();
        assertThat(w.getGradient().toFloatArray()).containsExactly(0f, 0f);
        assertThat(w.toFloatArray()).containsExactly(1f, 2f);
        assertThat(opt.steps()).isZero();
        opt.close();
    }

    @Test
    void firstStepMovesEachEntryByLrTimesSignOfGradient() {
        NDArray w = m.create(new float[] {1f, 1f});
        w.setRequiresGradient(true);
        NDArray unused = m.create(new float[] {3f});
        unused.setRequiresGradient(true);
        AdamW opt = new AdamW(List.of(new ParamGroup("all", Map.of("w", w), 0.0)), 0.9, 0.999, 1e-12, m);
        setGradients(w, new float[] {5f, -0.001f}, unused, new float[] {0f});
        opt.step(0.1);
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
        a.step(0.1);
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
        double norm = GradientClipping.clip(List.of(a, b), 6.5);
        assertThat(norm).isCloseTo(13.0, within(1e-6));
        assertThat(GradientClipping.globalNorm(List.of(a, b))).isCloseTo(6.5, within(1e-5));
        assertThat(a.getGradient().toFloatArray()).containsExactly(new float[] {1.5f, 2f}, within(1e-5f));
        // below the threshold nothing changes
        assertThat(GradientClipping.clip(List.of(a, b), 100)).isCloseTo(6.5, within(1e-5));
        assertThat(b.getGradient().getFloat(0)).isCloseTo(6f, within(1e-5f));
    }

    @Test
    void nonFiniteNormIsReportedAndGradientsLeftAlone() {
        NDArray a = m.create(new float[] {0f, 0f});
        NDArray b = m.create(new float[] {0f});
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        setGradients(a, new float[] {Float.NaN, 1f}, b, new float[] {1f});
        assertThat(GradientClipping.clip(List.of(a, b), 1.0)).isNaN();
        assertThat(b.getGradient().getFloat(0)).isEqualTo(1f);
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
