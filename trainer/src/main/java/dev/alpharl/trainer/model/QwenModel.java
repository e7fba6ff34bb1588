package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.datasets.SplitMix64;
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
 *
 * <p>A model may carry LoRA adapters ({@link LoraAdapters}, docs/LORA.md), fixed at construction like its
 * precision: an adapted projection computes x·Wᵀ (+b) + s·(dropout(x)·Aᵀ)·Bᵀ, and only the adapters train. Its base
 * is then frozen, so under {@link Precision#BF16} the decoder layers' projection matrices are stored in bf16 (half
 * the memory; no fp32 master is needed for a weight that never changes). {@link #withoutAdapters} is the same base
 * without the adapters, sharing every array (the KL reference of a LoRA run).
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
    /** The LoRA adapters, or null. */
    private final LoraAdapters adapters;
    /** False for a view ({@link #withoutAdapters}) over another model's arrays: closing it frees nothing. */
    private final boolean ownsArrays;
    /** Whether the frozen projection matrices are held in bf16 (LoRA under {@link Precision#BF16}). */
    private final boolean bf16Base;

    private QwenModel(
            QwenConfig config,
            NDManager manager,
            Map<String, NDArray> weights,
            Precision precision,
            LoraAdapters adapters,
            NDArray invFreq,
            boolean ownsArrays,
            boolean bf16Base) {
        this.config = config;
        this.precision = precision;
        this.manager = manager;
        this.weights = weights;
        this.adapters = adapters;
        this.ownsArrays = ownsArrays;
        this.bf16Base = bf16Base;
        this.ops = TorchOps.on(manager.getDevice());
        this.invFreq = invFreq != null ? invFreq : manager.create(inverseFrequencies(config));
    }

    private static float[] inverseFrequencies(QwenConfig config) {
        int half = config.headDim() / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            inv[i] = (float) (1.0 / Math.pow(config.ropeTheta(), 2.0 * i / config.headDim()));
        }
        return inv;
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
        return of(config, weights, parent, precision, null);
    }

    /**
     * {@link #of(QwenConfig, Map, NDManager, Precision)} with LoRA {@code adapters} (null: none), which the model
     * takes over (it closes them). With adapters the base is frozen; under {@link Precision#BF16} its decoder
     * projection matrices are converted to bf16 here and their fp32 copies freed.
     */
    public static QwenModel of(
            QwenConfig config,
            Map<String, NDArray> weights,
            NDManager parent,
            Precision precision,
            LoraAdapters adapters) {
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
        boolean bf16Base = adapters != null && precision == Precision.BF16;
        TorchOps ops = TorchOps.on(own.getDevice());
        for (String name : expected.keySet()) {
            NDArray w = weights.get(name);
            w.attach(own);
            w.setName(null);
            if (bf16Base && isProjectionMatrix(name)) {
                NDArray half = ops.toBf16(w); // on w's manager, the model's own
                w.close();
                w = half;
            }
            kept.put(name, w);
        }
        return new QwenModel(config, own, kept, precision, adapters, null, true, bf16Base);
    }

    private static boolean isProjectionMatrix(String name) {
        return name.startsWith("model.layers.") && name.endsWith("_proj.weight");
    }

    /**
     * A model of the same architecture and precision over other weights (a copy of this one, a prediction), on
     * {@code parent}: every model derived from the policy computes as the policy does. It has no adapters.
     */
    public QwenModel withWeights(Map<String, NDArray> weights, NDManager parent) {
        return of(config, weights, parent, precision);
    }

    /**
     * This model's base without its adapters: a view sharing every weight array (no copy), valid while this model
     * is open; closing the view frees nothing. A model without adapters returns a view of itself.
     */
    public QwenModel withoutAdapters() {
        return new QwenModel(config, manager, weights, precision, null, invFreq, false, bf16Base);
    }

    /** The LoRA adapters, or null for a model without them. */
    public LoraAdapters adapters() {
        return adapters;
    }

    /** What training updates: the adapters' tensors (by PEFT name) with LoRA, else every weight (by HF name). */
    public Map<String, NDArray> trainableWeights() {
        return adapters != null ? adapters.tensors() : weights();
    }

    /**
     * fp32 (or the masters' dtype) copies of every base weight on this model's manager, for a model of its own to
     * take over (PPO's critic trunk): bf16-held projection matrices are widened back.
     */
    public Map<String, NDArray> baseWeightCopies() {
        Map<String, NDArray> copy = new LinkedHashMap<>();
        weights.forEach((n, w) -> copy.put(n, bf16Base && isProjectionMatrix(n) ? ops.toF32(w) : w.duplicate()));
        return copy;
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

    /**
     * The base weights by HF name (read-only map; the arrays are the live weights). With adapters under bf16 the
     * decoder projection matrices are bf16 tensors that DJL reports as {@code unknown}: only the ops library may
     * read them ({@link #baseWeightCopies} widens them).
     */
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

    /** Sets requires-grad on what trains (call before training): the adapters with LoRA (the base stays frozen), else every weight. */
    public void setTrainable(boolean trainable) {
        if (adapters != null) {
            adapters.setTrainable(trainable);
        } else {
            weights.values().forEach(w -> w.setRequiresGradient(trainable));
        }
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
        NDArray x = embed(ids);
        NDArray[] rope = rope(positions, x.getDataType());
        // no padding: the fused causal kernel for a fresh sequence, no mask at all for one token over the cache
        boolean unmasked = keyMask == null && (past == 0 || t == 1);
        NDArray mask = unmasked ? null : additiveMask(keyMask, b, t, past, x.getDataType(), ids);
        for (int i = 0; i < config.numLayers(); i++) {
            x = layer(i, x, rope, mask, cache, past, null);
        }
        if (cache != null) {
            cache.advance(t);
        }
        return finalNorm(x);
    }

    /**
     * The gradient-bearing forward of a training step over unpadded rows (ids and positions [B, T], no cache): as
     * {@link #forward} but with LoRA dropout (masks seeded by the adapters' seed, {@code passSeed} and the layer, so
     * a recomputed layer draws the same masks) and, when {@code recomputeLayers}, with activation checkpointing.
     * See {@link TrainingForward}.
     */
    public TrainingForward trainingForward(NDArray ids, NDArray positions, long passSeed, boolean recomputeLayers) {
        return TrainingForward.run(this, ids, positions, passSeed, recomputeLayers);
    }

    /** h⁰ = E[ids]. */
    NDArray embed(NDArray ids) {
        return Embedding.embedding(ids, weights.get("model.embed_tokens.weight"), SparseFormat.DENSE)
                .head();
    }

    /** RMSNorm_final(h). */
    NDArray finalNorm(NDArray x) {
        return ops.rmsNorm(x, weights.get("model.norm.weight"), config.rmsNormEps());
    }

    /** Whether the embedding is being trained (it then needs the gradient of h⁰). */
    boolean embeddingTrainable() {
        return weights.get("model.embed_tokens.weight").hasGradient();
    }

    /** Whether decoder layer {@code i} holds a weight or adapter that is being trained. */
    boolean layerTrainable(int i) {
        String p = "model.layers." + i + ".";
        if (adapters != null) {
            return adapters.tensors().entrySet().stream()
                    .anyMatch(e -> e.getKey().startsWith(LoraAdapters.PREFIX + p)
                            && e.getValue().hasGradient());
        }
        return weights.entrySet().stream()
                .anyMatch(e -> e.getKey().startsWith(p) && e.getValue().hasGradient());
    }

    /**
     * Decoder layer {@code i}: h += o(Attn(RMSNorm_in(h))); h += down(SiLU(gate(x)) ⊙ up(x)), x = RMSNorm_post(h).
     *
     * @param dropoutSeed null for inference; for a training pass, the pass seed: the layer then applies LoRA
     *                    dropout with masks seeded from (adapter seed, pass seed, layer, module)
     */
    NDArray layer(int i, NDArray x, NDArray[] rope, NDArray mask, KvCache cache, long past, Long dropoutSeed) {
        // LoRA dropout masks are drawn from seeds of (adapter seed, pass seed, layer, module), never from libtorch's
        // global generator, which anything may draw from
        Long layerSeed = dropoutSeed == null || adapters == null
                ? null
                : SplitMix64.derive(adapters.seed(), dropoutSeed, i).nextLong();
        long b = x.getShape().get(0), t = x.getShape().get(1);
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
                past,
                layerSeed);
        x = x.add(a);
        NDArray n = ops.rmsNorm(x, weights.get(p + "post_attention_layernorm.weight"), config.rmsNormEps());
        NDArray mlp = linear(
                ops.swiglu(linear(n, p + "mlp.gate_proj", layerSeed), linear(n, p + "mlp.up_proj", layerSeed)),
                p + "mlp.down_proj",
                layerSeed);
        return x.add(mlp);
    }

    /** logits = hidden · W_lmᵀ for hidden [..., H]; fp32 (bf16 GEMM when the precision says so). */
    public NDArray logits(NDArray hidden) {
        return precision == Precision.BF16
                ? ops.linearBf16(hidden, lmHead())
                : Linear.linear(hidden, lmHead()).head();
    }

    /** x·Wᵀ (+b) of module {@code prefix}, plus its adapter's s·(dropout(x)·Aᵀ)·Bᵀ when it has one. */
    private NDArray linear(NDArray x, String prefix, Long layerSeed) {
        NDArray w = weights.get(prefix + ".weight");
        NDArray bias = weights.get(prefix + ".bias");
        NDArray y;
        if (precision == Precision.BF16) {
            y = ops.linearBf16(x, w);
            y = bias == null ? y : y.add(bias);
        } else {
            y = (bias == null ? Linear.linear(x, w) : Linear.linear(x, w, bias)).head();
        }
        return adapters != null && adapters.adapts(prefix) ? y.add(adapters.delta(prefix, x, layerSeed)) : y;
    }

    private NDArray attention(
            NDArray x,
            String p,
            NDArray[] rope,
            NDArray mask,
            KvCache cache,
            int layer,
            long b,
            long t,
            long past,
            Long layerSeed) {
        int nh = config.numHeads(), nkv = config.numKvHeads(), d = config.headDim();
        // one call for the whole block in a decode step; an adapted projection goes op by op (its LoRA delta)
        if (t == 1
                && cache != null
                && adapters == null
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
        NDArray q = linear(x, p + "self_attn.q_proj", layerSeed).reshape(b, t, nh, d);
        NDArray k = linear(x, p + "self_attn.k_proj", layerSeed).reshape(b, t, nkv, d);
        NDArray v = linear(x, p + "self_attn.v_proj", layerSeed)
                .reshape(b, t, nkv, d)
                .transpose(0, 2, 1, 3);
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
        return linear(out.transpose(0, 2, 1, 3).reshape(b, t, (long) nh * d), p + "self_attn.o_proj", layerSeed);
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
    NDArray[] rope(NDArray positions, DataType dtype) {
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

    /** The number of base weight elements (the tied head counted once; adapters not included). */
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

    /** Frees the weights and adapters; a view ({@link #withoutAdapters}) frees nothing. */
    @Override
    public void close() {
        if (!ownsArrays) {
            return;
        }
        if (adapters != null) {
            adapters.close();
        }
        manager.close();
    }
}
