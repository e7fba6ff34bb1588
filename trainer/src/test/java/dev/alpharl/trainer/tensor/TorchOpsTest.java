package dev.alpharl.trainer.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TorchOpsTest {

    private NDManager m;
    private TorchOps ops;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
        ops = TorchOps.on(m.getDevice());
        Engine.getInstance().setRandomSeed(1234);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    @Test
    void archiveExposesEveryMethodOfTheSource() {
        assertThat(ops.methodNames())
                .contains(
                        "sdpa_causal",
                        "sdpa_masked",
                        "sdpa_causal_repeat",
                        "sdpa_full_repeat",
                        "sdpa_masked_repeat",
                        "sdpa_full_grouped",
                        "sdpa_masked_grouped",
                        "rms_norm",
                        "rope",
                        "decode_attention",
                        "svd",
                        "svdvals",
                        "qr",
                        "swiglu",
                        "multinomial",
                        "sample_inverse_cdf",
                        "tril",
                        "triu",
                        "to_bf16",
                        "to_f32",
                        "matmul_bf16",
                        "linear_bf16",
                        "adamw_step",
                        "clip_grad_norm",
                        "zero_grad",
                        "dropout",
                        "top_triplet_lanczos");
    }

    /** softmax(q kᵀ/√d + mask) v with KV heads repeated for GQA, from DJL primitives only. */
    private static NDArray manualAttention(NDArray q, NDArray k, NDArray v, NDArray additiveMask) {
        long hq = q.getShape().get(1);
        long hkv = k.getShape().get(1);
        long d = q.getShape().get(3);
        NDArray kk = k.repeat(1, hq / hkv);
        NDArray vv = v.repeat(1, hq / hkv);
        NDArray scores =
                q.matMul(kk.transpose(0, 1, 3, 2)).div((float) Math.sqrt(d)).add(additiveMask);
        return scores.softmax(-1).matMul(vv);
    }

    private NDArray causalAdditive(int t) {
        NDArray ar = m.arange(t);
        NDArray allowed = ar.reshape(t, 1).gte(ar.reshape(1, t));
        return m.zeros(new Shape(t, t))
                .add(allowed.logicalNot().toType(DataType.FLOAT32, false).mul(-1e30f));
    }

    /** Runs f on fresh leaves with the given values and returns [output, dq, dk, dv] for loss = Σ out ⊙ r. */
    private NDArray[] valueAndGrads(Function<NDArray[], NDArray> f, NDArray r, NDArray... values) {
        NDArray[] leaves = new NDArray[values.length];
        for (int i = 0; i < values.length; i++) {
            leaves[i] = values[i].duplicate();
            leaves[i].setRequiresGradient(true);
        }
        NDArray[] result = new NDArray[values.length + 1];
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = f.apply(leaves);
            result[0] = out.duplicate();
            gc.backward(out.mul(r).sum());
        }
        for (int i = 0; i < values.length; i++) {
            result[i + 1] = leaves[i].getGradient().duplicate();
        }
        return result;
    }

    private static void assertClose(NDArray a, NDArray b, double tol) {
        assertThat(a.getShape()).isEqualTo(b.getShape());
        float maxDiff = a.sub(b).abs().max().getFloat();
        assertThat(maxDiff).as("max |a-b|").isLessThanOrEqualTo((float) tol);
    }

    @Test
    void causalSdpaMatchesManualAttentionWithGqaInValuesAndGradients() {
        int b = 2, hq = 4, hkv = 2, t = 7, d = 8;
        NDArray q = m.randomNormal(new Shape(b, hq, t, d));
        NDArray k = m.randomNormal(new Shape(b, hkv, t, d));
        NDArray v = m.randomNormal(new Shape(b, hkv, t, d));
        NDArray r = m.randomNormal(new Shape(b, hq, t, d));
        NDArray mask = causalAdditive(t);
        NDArray[] fused = valueAndGrads(x -> ops.sdpaCausal(x[0], x[1], x[2]), r, q, k, v);
        NDArray[] manual = valueAndGrads(x -> manualAttention(x[0], x[1], x[2], mask), r, q, k, v);
        for (int i = 0; i < 4; i++) {
            assertClose(fused[i], manual[i], 2e-5);
        }
        // the first query sees only the first key: its output is exactly v[0] of its KV head
        assertClose(fused[0].get(":, 0, 0, :"), v.get(":, 0, 0, :"), 1e-6);
    }

    @Test
    void maskedSdpaMatchesManualAttentionForBooleanAndAdditiveMasks() {
        int b = 2, hq = 2, hkv = 1, t = 5, d = 4;
        NDArray q = m.randomNormal(new Shape(b, hq, t, d));
        NDArray k = m.randomNormal(new Shape(b, hkv, t, d));
        NDArray v = m.randomNormal(new Shape(b, hkv, t, d));
        NDArray r = m.randomNormal(new Shape(b, hq, t, d));
        // row 1 is left-padded by 2: its keys 0 and 1 are hidden from every query (queries 0, 1 still see key 2..)
        NDArray ar = m.arange(t);
        NDArray causal = ar.reshape(t, 1).gte(ar.reshape(1, t)).reshape(1, 1, t, t);
        NDArray keyValid = m.create(
                new boolean[] {true, true, true, true, true, false, false, true, true, true}, new Shape(b, 1, 1, t));
        NDArray allowed = causal.logicalAnd(keyValid)
                .logicalOr(m.eye(t)
                        .toType(DataType.BOOLEAN, false)
                        .reshape(1, 1, t, t)); // keep the diagonal so no row is empty
        NDArray additive = allowed.logicalNot().toType(DataType.FLOAT32, false).mul(-1e30f);

        NDArray[] manual = valueAndGrads(x -> manualAttention(x[0], x[1], x[2], additive), r, q, k, v);
        NDArray[] withBool = valueAndGrads(x -> ops.sdpa(x[0], x[1], x[2], allowed), r, q, k, v);
        NDArray[] withAdd = valueAndGrads(x -> ops.sdpa(x[0], x[1], x[2], additive), r, q, k, v);
        for (int i = 0; i < 4; i++) {
            assertClose(withBool[i], manual[i], 2e-5);
            assertClose(withAdd[i], manual[i], 2e-5);
        }
    }

    /**
     * A decode step (one query token) reads grouped K/V without repeating them: the query heads of a group attend
     * as rows of their KV head. Same values and gradients as attention over repeated K/V, with no mask, a key mask
     * shared by the heads, and a per-head mask (which takes the repeat path).
     */
    @Test
    void oneQueryTokenAttendsGroupedKeysAsRepeatedAttentionDoes() {
        int b = 3, hq = 6, hkv = 2, s = 9, d = 8;
        NDArray q = m.randomNormal(new Shape(b, hq, 1, d));
        NDArray k = m.randomNormal(new Shape(b, hkv, s, d));
        NDArray v = m.randomNormal(new Shape(b, hkv, s, d));
        NDArray r = m.randomNormal(new Shape(b, hq, 1, d));
        NDArray noMask = m.zeros(new Shape(1, 1, 1, s));
        // row 0 sees every key, row 1 not the first 3 (left padding), row 2 not the last key
        boolean[] valid = new boolean[b * s];
        for (int j = 0; j < s; j++) {
            valid[j] = true;
            valid[s + j] = j >= 3;
            valid[2 * s + j] = j < s - 1;
        }
        NDArray keyMask = m.create(valid, new Shape(b, 1, 1, s));
        NDArray keyAdditive =
                keyMask.logicalNot().toType(DataType.FLOAT32, false).mul(-1e30f);
        NDArray perHead = m.randomUniform(0f, 1f, new Shape(b, hq, 1, s))
                .gt(0.3f)
                .logicalOr(m.arange(s).eq(0).reshape(1, 1, 1, s));
        NDArray perHeadAdditive =
                perHead.logicalNot().toType(DataType.FLOAT32, false).mul(-1e30f);

        NDArray[] full = valueAndGrads(x -> ops.sdpaFull(x[0], x[1], x[2]), r, q, k, v);
        NDArray[] fullManual = valueAndGrads(x -> manualAttention(x[0], x[1], x[2], noMask), r, q, k, v);
        NDArray[] keyed = valueAndGrads(x -> ops.sdpa(x[0], x[1], x[2], keyAdditive), r, q, k, v);
        NDArray[] keyedManual = valueAndGrads(x -> manualAttention(x[0], x[1], x[2], keyAdditive), r, q, k, v);
        NDArray[] headed = valueAndGrads(x -> ops.sdpa(x[0], x[1], x[2], perHeadAdditive), r, q, k, v);
        NDArray[] headedManual = valueAndGrads(x -> manualAttention(x[0], x[1], x[2], perHeadAdditive), r, q, k, v);
        for (int i = 0; i < 4; i++) {
            assertClose(full[i], fullManual[i], 2e-5);
            assertClose(keyed[i], keyedManual[i], 2e-5);
            assertClose(headed[i], headedManual[i], 2e-5);
        }
        // query head 5 belongs to KV head 1: with one visible key its output is that key's value
        NDArray onlyLast = m.create(new boolean[s * b], new Shape(b, 1, 1, s))
                .logicalOr(m.arange(s).eq(s - 1).reshape(1, 1, 1, s));
        NDArray out = ops.sdpa(
                q, k, v, onlyLast.logicalNot().toType(DataType.FLOAT32, false).mul(-1e30f));
        assertClose(out.get(":, 5, 0, :"), v.get(":, 1, {}, :", s - 1), 1e-6);
    }

    @Test
    void rmsNormMatchesPrimitivesInValuesAndGradients() {
        NDArray x = m.randomNormal(new Shape(3, 5, 16));
        NDArray w = m.randomNormal(new Shape(16));
        NDArray r = m.randomNormal(new Shape(3, 5, 16));
        double eps = 1e-6;
        NDArray[] fused = valueAndGrads(a -> ops.rmsNorm(a[0], a[1], eps), r, x, w);
        NDArray[] manual = valueAndGrads(
                a -> a[0].mul(a[0].square()
                                .mean(new int[] {-1}, true)
                                .add((float) eps)
                                .pow(-0.5f))
                        .mul(a[1]),
                r,
                x,
                w);
        for (int i = 0; i < 3; i++) {
            assertClose(fused[i], manual[i], 1e-5);
        }
    }

    /**
     * RoPE against the rotation written out per pair: for the half-split layout, element i &lt; d/2 pairs with
     * i + d/2, and (a, b) at angle θ becomes (a·cosθ − b·sinθ, b·cosθ + a·sinθ); gradients against DJL primitives.
     */
    @Test
    void ropeRotatesHalfSplitPairsAndTransposesHeads() {
        int b = 2, t = 3, h = 2, d = 4;
        NDArray x = m.randomNormal(new Shape(b, t, h, d));
        NDArray theta = m.randomUniform(-3f, 3f, new Shape(b, 1, t, d / 2));
        NDArray cos = theta.cos().concat(theta.cos(), -1);
        NDArray sin = theta.sin().concat(theta.sin(), -1);
        NDArray y = ops.rope(x, cos, sin);
        assertThat(y.getShape()).isEqualTo(new Shape(b, h, t, d));
        float[] xs = x.toFloatArray(), ys = y.toFloatArray(), th = theta.toFloatArray();
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                for (int hi = 0; hi < h; hi++) {
                    for (int i = 0; i < d / 2; i++) {
                        double angle = th[(bi * t + ti) * (d / 2) + i];
                        double a = xs[((bi * t + ti) * h + hi) * d + i];
                        double c = xs[((bi * t + ti) * h + hi) * d + i + d / 2];
                        int out = ((bi * h + hi) * t + ti) * d;
                        assertThat(ys[out + i])
                                .isCloseTo((float) (a * Math.cos(angle) - c * Math.sin(angle)), within(1e-5f));
                        assertThat(ys[out + i + d / 2])
                                .isCloseTo((float) (c * Math.cos(angle) + a * Math.sin(angle)), within(1e-5f));
                    }
                }
            }
        }
        NDArray r = m.randomNormal(new Shape(b, h, t, d));
        NDArray[] fused = valueAndGrads(a -> ops.rope(a[0], cos, sin), r, x);
        NDArray[] manual = valueAndGrads(
                a -> {
                    NDArray z = a[0].transpose(0, 2, 1, 3);
                    NDArray rotated = z.get("..., 2:").neg().concat(z.get("..., :2"), -1);
                    return z.mul(cos).add(rotated.mul(sin));
                },
                r,
                x);
        assertClose(fused[0], manual[0], 1e-6);
        assertClose(fused[1], manual[1], 1e-6);
    }

    /**
     * Dropout from its own seeded generator: each element is 0 or x/(1 − p), about a share p are dropped, the same
     * seed gives the same mask whatever else drew from libtorch's global generator in between, another seed another
     * mask, and the gradient is the mask / (1 − p).
     */
    @Test
    void dropoutMasksDependOnlyOnTheirSeed() {
        NDArray x = m.randomUniform(1f, 2f, new Shape(200, 50));
        NDArray a = ops.dropout(x, 0.25, 42);
        Engine.getInstance().setRandomSeed(7);
        m.randomUniform(0f, 1f, new Shape(1000)); // draws from the global generator
        NDArray b = ops.dropout(x, 0.25, 42);
        NDArray c = ops.dropout(x, 0.25, 43);
        assertThat(a.toFloatArray()).containsExactly(b.toFloatArray());
        assertThat(a.eq(c).toType(DataType.FLOAT32, false).mean().getFloat()).isLessThan(0.8f);
        float[] xs = x.toFloatArray(), as = a.toFloatArray();
        int dropped = 0;
        for (int i = 0; i < xs.length; i++) {
            if (as[i] == 0f) {
                dropped++;
            } else {
                assertThat(as[i]).isCloseTo(xs[i] / 0.75f, within(1e-6f));
            }
        }
        assertThat(dropped / (double) xs.length).isCloseTo(0.25, within(0.02)); // 10,000 draws: SD 0.0043
        NDArray r = m.ones(x.getShape());
        NDArray[] grads = valueAndGrads(v -> ops.dropout(v[0], 0.25, 42), r, x);
        assertClose(grads[1], a.div(x), 1e-6);
    }

    @Test
    void swigluMatchesPrimitivesInValuesAndGradients() {
        NDArray g = m.randomNormal(new Shape(4, 6));
        NDArray u = m.randomNormal(new Shape(4, 6));
        NDArray r = m.randomNormal(new Shape(4, 6));
        NDArray[] fused = valueAndGrads(a -> ops.swiglu(a[0], a[1]), r, g, u);
        NDArray[] manual =
                valueAndGrads(a -> a[0].mul(a[0].neg().exp().add(1f).pow(-1f)).mul(a[1]), r, g, u);
        for (int i = 0; i < 3; i++) {
            assertClose(fused[i], manual[i], 1e-5);
        }
    }

    @Test
    void rmsNormAcceptsParameterArraysWhoseNamesContainDots() {
        NDArray x = m.randomNormal(new Shape(2, 4));
        NDArray w = m.ones(new Shape(4));
        w.setName("model.layers.0.input_layernorm.weight");
        NDArray y = ops.rmsNorm(x, w, 1e-6);
        float[] row = y.get(0).toFloatArray();
        float[] xr = x.get(0).toFloatArray();
        double ms = 0;
        for (float v : xr) {
            ms += v * v / 4.0;
        }
        assertThat(row[2]).isCloseTo((float) (xr[2] / Math.sqrt(ms + 1e-6)), within(1e-5f));
        assertThat(w.getName()).isEqualTo("model.layers.0.input_layernorm.weight");
    }

    @Test
    void svdReconstructsAndAgreesWithCommonsMath() {
        SplittableRandom rnd = new SplittableRandom(7);
        double[][] a = new double[6][4];
        float[] flat = new float[24];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 4; j++) {
                a[i][j] = (float) rnd.nextGaussian();
                flat[i * 4 + j] = (float) a[i][j];
            }
        }
        NDArray A = m.create(flat, new Shape(6, 4));
        try (TorchOps.Svd svd = ops.svd(A)) {
            assertThat(svd.u().getShape()).isEqualTo(new Shape(6, 4));
            assertThat(svd.vt().getShape()).isEqualTo(new Shape(4, 4));
            assertClose(svd.u().mul(svd.s().reshape(1, 4)).matMul(svd.vt()), A, 1e-5);
            assertClose(svd.u().transpose().matMul(svd.u()), m.eye(4), 1e-5);
            assertClose(svd.vt().matMul(svd.vt().transpose()), m.eye(4), 1e-5);
            double[] expected = new SingularValueDecomposition(new Array2DRowRealMatrix(a)).getSingularValues();
            float[] s = svd.s().toFloatArray();
            float[] sv = ops.singularValues(A).toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertThat((double) s[i]).isCloseTo(expected[i], within(1e-5 * expected[0]));
                assertThat((double) sv[i]).isCloseTo(expected[i], within(1e-5 * expected[0]));
            }
        }
    }

    @Test
    void qrGivesOrthonormalQAndUpperTriangularR() {
        NDArray a = m.randomNormal(new Shape(6, 4));
        try (TorchOps.Qr qr = ops.qr(a)) {
            assertClose(qr.q().matMul(qr.r()), a, 1e-5);
            assertClose(qr.q().transpose().matMul(qr.q()), m.eye(4), 1e-5);
            assertClose(ops.triu(qr.r(), 0), qr.r(), 0);
        }
    }

    @Test
    void trilAndTriuFollowTheDiagonalOffset() {
        NDArray a = m.arange(1f, 10f).reshape(3, 3);
        assertThat(ops.tril(a, 0).toFloatArray()).containsExactly(1, 0, 0, 4, 5, 0, 7, 8, 9);
        assertThat(ops.tril(a, -1).toFloatArray()).containsExactly(0, 0, 0, 4, 0, 0, 7, 8, 0);
        assertThat(ops.triu(a, 1).toFloatArray()).containsExactly(0, 2, 3, 0, 0, 6, 0, 0, 0);
    }

    @Test
    void multinomialFrequenciesMatchTheDistribution() {
        float[] p = {0.5f, 0.3f, 0.15f, 0.05f};
        int n = 100_000;
        NDArray draws = ops.multinomial(m.create(p).reshape(1, 4).mul(3f), n); // unnormalised weights
        assertThat(draws.getDataType()).isEqualTo(DataType.INT64);
        assertFrequencies(draws.toLongArray(), p);
    }

    @Test
    void inverseCdfSamplingIsExactAtChosenUniformsAndUnbiased() {
        NDArray probs =
                m.create(new float[] {0.5f, 0.3f, 0f, 0.2f}).reshape(1, 4).repeat(0, 5);
        NDArray u = m.create(new float[] {0f, 0.49f, 0.5f, 0.79f, 0.999f});
        // cdf = [.5, .8, .8, 1]: u=0 → 0, .49 → 0, .5 → 1, .79 → 1, .999 → 3 (a zero-mass token is never chosen)
        assertThat(ops.sampleInverseCdf(probs, u).toLongArray()).containsExactly(0, 0, 1, 1, 3);

        int n = 100_000;
        float[] p = {0.5f, 0.3f, 0.15f, 0.05f};
        NDArray many = m.create(p).reshape(1, 4).repeat(0, n);
        NDArray uniforms = m.randomUniform(0f, 1f, new Shape(n));
        assertFrequencies(ops.sampleInverseCdf(many, uniforms).toLongArray(), p);
    }

    private static void assertFrequencies(long[] draws, float[] p) {
        long[] counts = new long[p.length];
        for (long d : draws) {
            counts[(int) d]++;
        }
        for (int i = 0; i < p.length; i++) {
            double sigma = Math.sqrt(draws.length * p[i] * (1 - p[i]));
            assertThat((double) counts[i]).as("count of %d", i).isCloseTo(draws.length * p[i], within(5 * sigma));
        }
    }

    /** Round to nearest even on the raw bits, the reference for bf16 rounding. */
    private static float bf16Round(float x) {
        int b = Float.floatToRawIntBits(x);
        int r = (b + 0x7FFF + ((b >>> 16) & 1)) >>> 16;
        return Float.intBitsToFloat(r << 16);
    }

    @Test
    void bf16CastRoundTripRoundsToNearestEvenAndKeepsGradients() {
        float[] x = {1f, 1.00390625f, 1.01171875f, -3.14159f, 65504f, 1e-3f, 0f};
        NDArray xs = m.create(x);
        NDArray back = ops.toF32(ops.toBf16(xs));
        assertThat(back.getDataType()).isEqualTo(DataType.FLOAT32);
        float[] got = back.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            assertThat(got[i]).as("bf16(%s)", x[i]).isEqualTo(bf16Round(x[i]));
        }
        // d/dx Σ c ⊙ f32(bf16(x)) = c for c representable in bf16
        NDArray c = m.create(new float[] {0.5f, -2f, 0.25f, 1f, 3f, -0.125f, 8f});
        NDArray[] vg = valueAndGrads(a -> ops.toF32(ops.toBf16(a[0])), c, xs);
        assertThat(vg[1].toFloatArray()).containsExactly(c.toFloatArray());
    }

    @Test
    void bf16MatmulIsCloseToFp32AndDifferentiable() {
        NDArray x = m.randomNormal(new Shape(16, 64));
        NDArray w = m.randomNormal(new Shape(32, 64));
        NDArray r = m.randomNormal(new Shape(16, 32));
        NDArray[] bf = valueAndGrads(a -> ops.linearBf16(a[0], a[1]), r, x, w);
        NDArray[] fp = valueAndGrads(a -> a[0].matMul(a[1].transpose()), r, x, w);
        for (int i = 0; i < 3; i++) {
            float scale = fp[i].abs().max().getFloat();
            assertThat(bf[i].getDataType()).isEqualTo(DataType.FLOAT32);
            assertClose(bf[i], fp[i], 0.02 * scale);
        }
        assertClose(ops.matmulBf16(x, w.transpose()), bf[0], 1e-6);
    }

    @Test
    void callsLeaveNothingOnTheManagersOfLaterArguments() {
        try (NDManager longLived = NDManager.newBaseManager();
                NDManager step = m.newSubManager()) {
            NDArray w = longLived.ones(new Shape(4));
            w.setName("layers.0.norm.weight");
            NDArray x = step.randomNormal(new Shape(2, 4));
            for (int i = 0; i < 10; i++) {
                NDArray y = ops.rmsNorm(x, w, 1e-6);
                assertThat(y.getManager()).isSameAs(step);
            }
            assertThat(longLived.getManagedArrays()).hasSize(1);
            assertThat(step.getManagedArrays()).hasSize(11);
        }
    }
}
