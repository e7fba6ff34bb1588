package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.trainer.tensor.TorchOps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A Qwen2 / Qwen2.5 / Qwen3 dense decoder (QWEN.md §1) over weights held by Hugging Face name.
 * <pre>
 *   h⁰ = E[ids];  per layer: h += o(Attn(RMSNorm_in(h)));  h += down(SiLU(gate(x)) ⊙ up(x)), x = RMSNorm_post(h)
 *   Attn: q,k,v = x·Wᵀ (+b for Qwen2); Qwen3: RMSNorm over head_dim on q,k; half-split RoPE at position_ids;
 *         softmax(q·kᵀ/√d + mask)·v with query head h reading KV head ⌊h/g⌋
 *   logits = RMSNorm_final(h)·W_lmᵀ   (W_lm ≡ E when tied)
 * </pre>
 * Weights are master copies in fp32 (or fp64 for gradient checks) on the model's own manager; every activation
 * belongs to the manager of the input ids, so a caller's step scope frees them. {@link Precision#BF16} runs the
 * linear layers in bf16 through the ops library (fp32 masters, differentiable casts); norms, RoPE, softmax and
 * the loss stay fp32.
 */
public final class QwenModel implements AutoCloseable {

    /** How linear layers compute. */
    public enum Precision {
        FP32,
        BF16
    }

    /** A masked-out score: finite (so a fully masked row cannot turn into NaN) and far below any real score. */
    private static final float MASKED = -1e9f;

    private final QwenConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> weights;
    private final NDArray invFreq;
    private final TorchOps ops;
    private final Precision precision;

    private QwenModel(QwenConfig config, NDManager manager, Map<String, NDArray> weights, Precision precision) {
        this.config = config;
        this.precision = precision;
        this.manager = manager;
        this.weights = weights;
        this.ops = TorchOps.on(manager.getDevice());
        int half = config.headDim() / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            inv[i] = (float) (1.0 / Math.pow(config.ropeTheta(), 2.0 * i / config.headDim()));
        }
        this.invFreq = manager.create(inv);
    }

    /** An fp32 model over {@code weights}; see {@link #of(QwenConfig, Map, NDManager, Precision)}. */
    public static QwenModel of(QwenConfig config, Map<String, NDArray> weights, NDManager parent) {
        return of(config, weights, parent, Precision.FP32);
    }

    /**
     * A model over {@code weights} (HF names, shapes checked against the config) whose linear layers compute in
     * {@code precision}; the arrays are moved to a new sub-manager of {@code parent} (and so its device) that the
     * model owns. Precision and device are fixed for the model's life.
     */
    public static QwenModel of(QwenConfig config, Map<String, NDArray> weights, NDManager parent, Precision precision) {
        Map<String, Shape> expected = expectedShapes(config);
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            NDArray w = weights.get(e.getKey());
            if (w == null) {
                throw new ModelFormatException(
                        "missing tensor '" + e.getKey() + "' (expected shape " + e.getValue() + ")");
            }
            if (!w.getShape().equals(e.getValue())) {
                throw new ModelFormatException("tensor '" + e.getKey() + "' has shape " + w.getShape() + ", expected "
                        + e.getValue() + " from config.json");
            }
        }
        NDManager own = parent.newSubManager();
        Map<String, NDArray> kept = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            NDArray w = weights.get(name);
            w.attach(own);
            w.setName(null);
            kept.put(name, w);
        }
        return new QwenModel(config, own, kept, precision);
    }

    /**
     * A model of the same architecture and precision over other weights (a copy of this one, a prediction), on
     * {@code parent}: every model derived from the policy computes as the policy does.
     */
    public QwenModel withWeights(Map<String, NDArray> weights, NDManager parent) {
        return of(config, weights, parent, precision);
    }

    /**
     * Randomly initialised weights, seeded: matrices N(0, 0.02²) as Hugging Face's {@code initializer_range},
     * norms 1, biases N(0, 0.02²) (nonzero so that tests exercise them). Drawn natively in {@code dtype}; see
     * {@link #random(QwenConfig, long, DataType, NDManager, Precision)}.
     */
    public static QwenModel random(QwenConfig config, long seed, DataType dtype, NDManager parent) {
        return random(config, seed, dtype, parent, Precision.FP32);
    }

    /**
     * {@link #random(QwenConfig, long, DataType, NDManager)} computing in {@code precision}. Every tensor is drawn
     * by libtorch straight into its array ({@link TorchOps#randomNormal}) with its own seed, the i-th draw of
     * {@code SplittableRandom(seed)} in {@link #expectedShapes} order: the weights depend only on seed, config and
     * dtype (not on the device), and nothing weight-sized is allocated in Java.
     */
    public static QwenModel random(
            QwenConfig config, long seed, DataType dtype, NDManager parent, Precision precision) {
        SplittableRandom seeds = new SplittableRandom(seed);
        Map<String, NDArray> w = new LinkedHashMap<>();
        try (NDManager tmp = parent.newSubManager()) {
            for (Map.Entry<String, Shape> e : expectedShapes(config).entrySet()) {
                long tensorSeed = seeds.nextLong() & Long.MAX_VALUE; // drawn for norms too: seeds keep their places
                NDArray a = e.getKey().endsWith("norm.weight")
                        ? tmp.ones(e.getValue(), dtype)
                        : TorchOps.randomNormal(tmp, e.getValue(), dtype, 0.02, tensorSeed);
                w.put(e.getKey(), a);
            }
            return of(config, w, parent, precision);
        }
    }

    /** The HF tensor names and shapes this config needs (no {@code lm_head.weight} when tied), in file order. */
    public static Map<String, Shape> expectedShapes(QwenConfig c) {
        Map<String, Shape> s = new LinkedHashMap<>();
        long h = c.hiddenSize(), d = c.headDim(), q = (long) c.numHeads() * d, kv = (long) c.numKvHeads() * d;
        s.put("model.embed_tokens.weight", new Shape(c.vocabSize(), h));
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            s.put(p + "input_layernorm.weight", new Shape(h));
            s.put(p + "self_attn.q_proj.weight", new Shape(q, h));
            s.put(p + "self_attn.k_proj.weight", new Shape(kv, h));
            s.put(p + "self_attn.v_proj.weight", new Shape(kv, h));
            if (c.hasQkvBias()) {
                s.put(p + "self_attn.q_proj.bias", new Shape(q));
                s.put(p + "self_attn.k_proj.bias", new Shape(kv));
                s.put(p + "self_attn.v_proj.bias", new Shape(kv));
            }
            if (c.isQwen3()) {
                s.put(p + "self_attn.q_norm.weight", new Shape(d));
                s.put(p + "self_attn.k_norm.weight", new Shape(d));
            }
            s.put(p + "self_attn.o_proj.weight", new Shape(h, q));
            s.put(p + "post_attention_layernorm.weight", new Shape(h));
            s.put(p + "mlp.gate_proj.weight", new Shape(c.intermediateSize(), h));
            s.put(p + "mlp.up_proj.weight", new Shape(c.intermediateSize(), h));
            s.put(p + "mlp.down_proj.weight", new Shape(h, c.intermediateSize()));
        }
        s.put("model.norm.weight", new Shape(h));
        if (!c.tieWordEmbeddings()) {
            s.put("lm_head.weight", new Shape(c.vocabSize(), h));
        }
        return s;
    }

    public QwenConfig config() {
        return config;
    }

    /** The trainable weights by HF name (read-only map; the arrays are the live weights). */
    public Map<String, NDArray> weights() {
        return Collections.unmodifiableMap(weights);
    }

    /** The long-lived manager holding the weights. */
    public NDManager manager() {
        return manager;
    }

    public Precision precision() {
        return precision;
    }

    /** The output projection W_lm [V, H] (the embedding when tied). */
    public NDArray lmHead() {
        return weights.get(config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
    }

    /** Sets requires-grad on every weight (call before training). */
    public void setTrainable(boolean trainable) {
        weights.values().forEach(w -> w.setRequiresGradient(trainable));
    }

    /**
     * Final hidden states (after the last RMSNorm) for {@code ids} [B, T] at RoPE positions {@code positions}
     * [B, T].
     *
     * @param keyMask 1 for real tokens and 0 for padding over every key slot [B, P+T] (P = cached length); null means
     *                no padding anywhere. Without padding and cache, the fused causal kernel runs with no mask.
     * @param cache   the KV cache to read slots [0, P) from and write slots [P, P+T) to; null for a plain forward.
     */
    public NDArray forward(NDArray ids, NDArray positions, NDArray keyMask, KvCache cache) {
        long b = ids.getShape().get(0), t = ids.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        NDArray x = Embedding.embedding(ids, weights.get("model.embed_tokens.weight"), SparseFormat.DENSE)
                .head();
        NDArray[] rope = rope(positions, x.getDataType());
        // no padding: the fused causal kernel for a fresh sequence, no mask at all for one token over the cache
        boolean unmasked = keyMask == null && (past == 0 || t == 1);
        NDArray mask = unmasked ? null : additiveMask(keyMask, b, t, past, x.getDataType(), ids);
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            NDArray a = attention(
                    ops.rmsNorm(x, weights.get(p + "input_layernorm.weight"), config.rmsNormEps()),
                    p,
                    rope,
                    mask,
                    cache,
                    i,
                    b,
                    t,
                    past);
            x = x.add(a);
            NDArray n = ops.rmsNorm(x, weights.get(p + "post_attention_layernorm.weight"), config.rmsNormEps());
            NDArray mlp = linear(
                    ops.swiglu(linear(n, p + "mlp.gate_proj"), linear(n, p + "mlp.up_proj")), p + "mlp.down_proj");
            x = x.add(mlp);
        }
        if (cache != null) {
            cache.advance(t);
        }
        return ops.rmsNorm(x, weights.get("model.norm.weight"), config.rmsNormEps());
    }

    /** logits = hidden · W_lmᵀ for hidden [..., H]; fp32 (bf16 GEMM when the precision says so). */
    public NDArray logits(NDArray hidden) {
        return precision == Precision.BF16
                ? ops.linearBf16(hidden, lmHead())
                : Linear.linear(hidden, lmHead()).head();
    }

    private NDArray linear(NDArray x, String prefix) {
        NDArray w = weights.get(prefix + ".weight");
        NDArray bias = weights.get(prefix + ".bias");
        if (precision == Precision.BF16) {
            NDArray y = ops.linearBf16(x, w);
            return bias == null ? y : y.add(bias);
        }
        return (bias == null ? Linear.linear(x, w) : Linear.linear(x, w, bias)).head();
    }

    private NDArray attention(
            NDArray x, String p, NDArray[] rope, NDArray mask, KvCache cache, int layer, long b, long t, long past) {
        int nh = config.numHeads(), nkv = config.numKvHeads(), d = config.headDim();
        if (t == 1
                && cache != null
                && precision == Precision.FP32
                && (mask == null || mask.getShape().get(1) == 1)) {
            NDArray[] kv = cache.buffers(layer, past, t);
            return ops.decodeAttention(
                    x,
                    attentionWeights(p),
                    rope[0],
                    rope[1],
                    kv[0],
                    kv[1],
                    mask,
                    past,
                    nh,
                    nkv,
                    d,
                    config.rmsNormEps());
        }
        NDArray q = linear(x, p + "self_attn.q_proj").reshape(b, t, nh, d);
        NDArray k = linear(x, p + "self_attn.k_proj").reshape(b, t, nkv, d);
        NDArray v = linear(x, p + "self_attn.v_proj").reshape(b, t, nkv, d).transpose(0, 2, 1, 3);
        if (config.isQwen3()) {
            q = ops.rmsNorm(q, weights.get(p + "self_attn.q_norm.weight"), config.rmsNormEps());
            k = ops.rmsNorm(k, weights.get(p + "self_attn.k_norm.weight"), config.rmsNormEps());
        }
        q = ops.rope(q, rope[0], rope[1]);
        k = ops.rope(k, rope[0], rope[1]);
        if (cache != null) {
            NDArray[] kvAll = cache.write(layer, k, v, past);
            k = kvAll[0];
            v = kvAll[1];
        }
        NDArray out =
                mask != null ? ops.sdpa(q, k, v, mask) : past == 0 ? ops.sdpaCausal(q, k, v) : ops.sdpaFull(q, k, v);
        return linear(out.transpose(0, 2, 1, 3).reshape(b, t, (long) nh * d), p + "self_attn.o_proj");
    }

    private TorchOps.AttentionWeights attentionWeights(String p) {
        String a = p + "self_attn.";
        return new TorchOps.AttentionWeights(
                weights.get(a + "q_proj.weight"),
                weights.get(a + "k_proj.weight"),
                weights.get(a + "v_proj.weight"),
                weights.get(a + "o_proj.weight"),
                weights.get(a + "q_proj.bias"),
                weights.get(a + "k_proj.bias"),
                weights.get(a + "v_proj.bias"),
                weights.get(a + "q_norm.weight"),
                weights.get(a + "k_norm.weight"));
    }

    /** cos and sin of positions·inv_freq, duplicated to head_dim (half-split layout), shaped [B, 1, T, d]. */
    private NDArray[] rope(NDArray positions, DataType dtype) {
        NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreq);
        NDArray emb = freqs.concat(freqs, -1).expandDims(1);
        return new NDArray[] {emb.cos().toType(dtype, false), emb.sin().toType(dtype, false)};
    }

    /**
     * Additive mask [B, 1, T, P+T]: 0 where key slot j ≤ query slot P+i and the key is real, {@link #MASKED}
     * elsewhere. A query always sees its own slot, so padded query rows stay finite.
     */
    private static NDArray additiveMask(NDArray keyMask, long b, long t, long past, DataType dtype, NDArray like) {
        NDManager m = like.getManager();
        long s = past + t;
        NDArray keySlots = m.arange(0, s, 1, DataType.INT64).reshape(1, 1, 1, s);
        NDArray querySlots = m.arange(past, s, 1, DataType.INT64).reshape(1, 1, t, 1);
        NDArray allowed = keySlots.lte(querySlots);
        if (keyMask != null) {
            NDArray real = keyMask.reshape(b, 1, 1, s).gt(0);
            allowed = allowed.logicalAnd(real).logicalOr(keySlots.eq(querySlots));
        }
        NDArray masked = allowed.logicalNot().toType(dtype, false);
        return masked.mul(Constant.like(masked, MASKED));
    }

    /** The number of weight elements (the tied head counted once). */
    public long parameterCount() {
        return weights.values().stream().mapToLong(w -> w.getShape().size()).sum();
    }

    /** The 2-D attention and MLP matrices (q, k, v, o, gate, up, down) by name: what AlphaRL tracks. */
    public List<String> projectionMatrices() {
        List<String> names = new ArrayList<>();
        for (String n : weights.keySet()) {
            if (n.startsWith("model.layers.") && n.endsWith("_proj.weight")) {
                names.add(n);
            }
        }
        return names;
    }

    @Override
    public void close() {
        manager.close();
    }
}
