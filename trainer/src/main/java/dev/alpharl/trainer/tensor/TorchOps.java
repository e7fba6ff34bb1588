package dev.alpharl.trainer.tensor;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The kernels DJL 0.36 does not expose (fused attention, rms_norm, SVD, QR, multinomial, tril/triu, bf16 casts and
 * GEMMs), called from a TorchScript module that this class assembles at run time from the readable source in
 * {@code ops.torchscript} (DJL.md §7). No Python is involved: the archive is a zip written with java.util.zip.
 *
 * <p>Every call goes through the autograd-capable path ({@code IValueUtils.forward(..., true)}), so results are
 * ordinary tensors: differentiable where the op is, and safe to use later in a graph (the inference-mode path
 * would return tensors that cannot be saved for backward). Scalars travel as 0-d tensors. As for DJL's own ops,
 * a result belongs to the manager of the first argument. The optimizer kernels are the exception: they update
 * tensors in place and take lists of tensors, so they run on the inference path ({@link #run}), where a list of
 * tensors is one native argument. Their source returns every tensor it writes: libtorch's graph executor drops
 * in-place ops on tensors it believes do not escape (gradients read with {@code prim::grad}, lists built inside the
 * method), see DJL.md §7.
 */
public final class TorchOps {

    private static final String SOURCE_RESOURCE = "ops.torchscript";
    private static final Map<Device, TorchOps> BY_DEVICE = new ConcurrentHashMap<>();

    private final PtSymbolBlock module;
    private final Device device;

    private TorchOps(PtSymbolBlock module, Device device) {
        this.module = module;
        this.device = device;
    }

    /** The library loaded on the given device (loaded once per device, kept for the JVM's lifetime). */
    public static TorchOps on(Device device) {
        return BY_DEVICE.computeIfAbsent(device, TorchOps::load);
    }

    /** The library on the device of {@code like}'s manager. */
    public static TorchOps of(NDArray like) {
        return on(like.getDevice());
    }

    private static TorchOps load(Device device) {
        TorchRuntime.init();
        // A manager that is never closed: the module lives as long as the JVM, like the engine itself.
        PtNDManager owner = (PtNDManager) NDManager.newBaseManager(device, "PyTorch");
        try (InputStream archive = new ByteArrayInputStream(archive(source()))) {
            return new TorchOps(JniUtils.loadModule(owner, archive, true, false), device);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the TorchScript ops library", e);
        }
    }

    static String source() {
        try (InputStream in = TorchOps.class.getResourceAsStream(SOURCE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + SOURCE_RESOURCE + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A TorchScript archive holding {@code source} as class {@code __torch__.Ops}: {@code data.pkl} (the pickled
     * module object with {@code training = False}), the code, an empty constants tuple and format version 10.
     */
    static byte[] archive(String source) {
        byte[] dataPkl = {
            (byte) 0x80,
            0x02, // PROTO 2
            'c',
            '_',
            '_',
            't',
            'o',
            'r',
            'c',
            'h',
            '_',
            '_',
            '\n',
            'O',
            'p',
            's',
            '\n', // GLOBAL __torch__ Ops
            0x29,
            (byte) 0x81,
            0x7d,
            0x28, // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK
            0x58,
            0x08,
            0x00,
            0x00,
            0x00,
            't',
            'r',
            'a',
            'i',
            'n',
            'i',
            'n',
            'g', // BINUNICODE 'training'
            (byte) 0x89,
            0x75,
            0x62,
            0x2e // NEWFALSE SETITEMS BUILD STOP
        };
        byte[] constantsPkl = {(byte) 0x80, 0x02, 0x29, 0x2e};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            putStored(zip, "ops/data.pkl", dataPkl);
            putStored(zip, "ops/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            putStored(zip, "ops/constants.pkl", constantsPkl);
            putStored(zip, "ops/version", "10\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void putStored(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        entry.setCompressedSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    /** The method names the loaded module exposes. */
    public String[] methodNames() {
        return JniUtils.getMethodNames(module);
    }

    /**
     * Calls {@code method} with tensor arguments on the autograd path. Arguments whose names DJL would interpret
     * (a '.' turns a tensor into a dict entry, {@code x[]}/{@code x()} into list/tuple entries) are passed through
     * an unnamed view.
     */
    NDList call(String method, NDArray... args) {
        NDManager manager = args[0].getManager();
        NDList inputs = new NDList(args.length + 1);
        NDList views = new NDList();
        for (NDArray a : args) {
            if (a.getName() == null || a.getName().isEmpty()) {
                inputs.add(a);
            } else {
                NDArray view = a.reshape(a.getShape());
                view.setName(null);
                views.add(view);
                inputs.add(view);
            }
        }
        NDArray marker = manager.create(0f);
        marker.setName("module_method:" + method);
        inputs.add(marker);
        try {
            NDList out = IValueUtils.forward(module, inputs, true);
            out.attach(manager);
            return out;
        } finally {
            marker.close();
            views.close();
        }
    }

    private NDArray scalar(NDArray like, double value) {
        return like.getManager().create((float) value);
    }

    private NDArray scalar(NDArray like, long value) {
        return like.getManager().create(value);
    }

    // ---- attention and normalisation (differentiable) ----

    /**
     * Causal scaled dot-product attention, softmax(q·kᵀ/√d + causal)·v. Shapes q [B, Hq, T, d], k and v
     * [B, Hkv, S, d] with Hq a multiple of Hkv (grouped-query attention: each KV head serves Hq/Hkv consecutive
     * query heads). With S &gt; T the causal mask is aligned top-left (query i sees keys 0..i), as PyTorch does.
     */
    public NDArray sdpaCausal(NDArray q, NDArray k, NDArray v) {
        return call(attention("sdpa_causal", q, k, null), q, k, v).head();
    }

    /**
     * The attention kernel to call. On CPU, libtorch 2.7's fused SDPA kernel does not take {@code enable_gqa} and
     * falls back to the unfused math path (measured 3.6x slower at B=8, H=14, T=512): there K and V are repeated to
     * the query heads first. A single query token (a decode step, without causal masking) needs no repeat: the
     * g = Hq/Hkv query heads that share a KV head attend as g query rows of that head (heads are grouped as
     * repeat_interleave groups them, and a key mask [B, 1, 1, S] is the same for every row; a mask with a per-head
     * axis cannot follow the heads into their groups and takes the repeat path), which is exact and
     * copies nothing. On CUDA the kernels read grouped K/V directly.
     */
    private String attention(String method, NDArray q, NDArray k, NDArray mask) {
        boolean grouped = q.getShape().get(1) != k.getShape().get(1);
        if (!grouped || device.isGpu()) {
            return method;
        }
        boolean sharedMask = mask == null
                || mask.getShape().dimension() < 4
                || mask.getShape().get(1) == 1;
        boolean oneQuery = q.getShape().get(2) == 1 && !method.equals("sdpa_causal") && sharedMask;
        return method + (oneQuery ? "_grouped" : "_repeat");
    }

    /** Attention of every query to every key (no mask), grouped K/V read as in {@link #sdpaCausal}. */
    public NDArray sdpaFull(NDArray q, NDArray k, NDArray v) {
        return call(attention("sdpa_full", q, k, null), q, k, v).head();
    }

    /**
     * Scaled dot-product attention with an explicit mask broadcastable to [B, Hq, T, S]: boolean (true = attend)
     * or additive float (0 or a large negative number). A row whose boolean mask is all false yields NaN, as in
     * PyTorch; padded query rows should use an additive mask with a finite minimum instead.
     */
    public NDArray sdpa(NDArray q, NDArray k, NDArray v, NDArray mask) {
        return call(attention("sdpa_masked", q, k, mask), q, k, v, mask).head();
    }

    /**
     * The weights of one attention block for {@link #decodeAttention}: projections [out, in]; the q/k/v biases (Qwen2)
     * and the per-head q/k RMSNorm weights (Qwen3) are null where the architecture has none.
     */
    public record AttentionWeights(
            NDArray q,
            NDArray k,
            NDArray v,
            NDArray o,
            NDArray qBias,
            NDArray kBias,
            NDArray vBias,
            NDArray qNorm,
            NDArray kNorm) {}

    /**
     * A whole attention block for one new token per row, in one call: q, k, v projections (+ biases), per-head
     * RMSNorm of q and k (when given), RoPE ({@link #rope}), k and v written in place at slot {@code past} of the
     * caches [B, Hkv, capacity, d], attention over slots [0, past] with the query heads of each KV head attended as
     * its rows (exact for one token, see {@link #sdpaFull}), and the output projection. Equal to those steps done op
     * by op; it saves the host time of ~25 ops per layer, which dominates a decode step of a small batch.
     *
     * @param x    the normalised input [B, 1, H]
     * @param mask additive key mask [B, 1, 1, past+1], or null
     * @return the block's output [B, 1, H]
     */
    public NDArray decodeAttention(
            NDArray x,
            AttentionWeights w,
            NDArray cos,
            NDArray sin,
            NDArray keyCache,
            NDArray valueCache,
            NDArray mask,
            long past,
            int heads,
            int kvHeads,
            int headDim,
            double eps) {
        boolean bias = w.qBias() != null, norm = w.qNorm() != null;
        try (NDArray at = x.getManager().create(new long[] {
                    past, heads, kvHeads, headDim, bias ? 1 : 0, norm ? 1 : 0, mask != null ? 1 : 0
                });
                NDArray e = scalar(x, eps)) {
            return call(
                            "decode_attention",
                            x,
                            w.q(),
                            w.k(),
                            w.v(),
                            w.o(),
                            bias ? w.qBias() : x,
                            bias ? w.kBias() : x,
                            bias ? w.vBias() : x,
                            norm ? w.qNorm() : x,
                            norm ? w.kNorm() : x,
                            cos,
                            sin,
                            keyCache,
                            valueCache,
                            mask != null ? mask : x,
                            at,
                            e)
                    .head();
        }
    }

    /** RMSNorm over the last axis: x · w / sqrt(mean(x²) + eps). */
    public NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        try (NDArray e = scalar(x, eps)) {
            return call("rms_norm", x, weight, e).head();
        }
    }

    /**
     * Rotary position embedding of heads laid out [B, T, H, d], returned as [B, H, T, d]: y·cos + rotate_half(y)·sin
     * with y = xᵀ (axes 1, 2), rotate_half(y) = concat(−y[d/2:], y[:d/2]) (the half-split layout of HF's Qwen), and
     * cos, sin broadcastable to [B, 1, T, d]. One call in place of eight DJL ops per projection.
     */
    public NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        return call("rope", x, cos, sin).head();
    }

    /** The SwiGLU gate of Qwen's MLP: SiLU(gate) ⊙ up, with SiLU(z) = z·σ(z). */
    public NDArray swiglu(NDArray gate, NDArray up) {
        return call("swiglu", gate, up).head();
    }

    // ---- linear algebra ----

    /** Thin SVD A = U·diag(S)·Vᵀ with singular values in descending order. */
    public Svd svd(NDArray a) {
        NDList usv = call("svd", a);
        return new Svd(usv.get(0), usv.get(1), usv.get(2));
    }

    /** Singular values of A in descending order. */
    public NDArray singularValues(NDArray a) {
        return call("svdvals", a).head();
    }

    /** Reduced QR decomposition A = Q·R, Q with orthonormal columns, R upper triangular. */
    public Qr qr(NDArray a) {
        NDList qr = call("qr", a);
        return new Qr(qr.get(0), qr.get(1));
    }

    /**
     * The top singular triplet of {@code a} [m, n] by block Lanczos — Golub–Kahan bidiagonalisation with full
     * reorthogonalisation, blocks of up to p vectors — started from the block {@code start} [n, p] (ALPHARL.md §10).
     * Each step extends the orthonormal bases V (right) and U (left) by one block, takes the Ritz triplets of the
     * small matrix B = Uᵀ·A·V (A·v₁ = σ₁u₁ holds by construction), and stops when the residual
     * ρ₁ = ‖Aᵀu₁ − σ₁v₁‖ meets {@code ρ₁ ≤ tolerance·(σ₁ − σ₂ − ρ₂)}, σ₂ the second Ritz value and ρ₂ its residual
     * (σ₂ + ρ₂ stands in for the true σ₂, which the Ritz value only approaches from below; by Wedin's theorem
     * ρ₁/(σ₁ − σ₂) then bounds sin∠ of u₁ and of v₁ to the exact vectors), when ρ₁ reaches the rounding floor
     * {@code floor·σ₁}, or after {@code maxSteps} steps. Runs in a's dtype on its device, the whole loop in one
     * call.
     */
    public Lanczos topTripletLanczos(NDArray a, NDArray start, int maxSteps, double tolerance, double floor) {
        try (NDArray steps = scalar(a, (long) maxSteps);
                NDArray tol = scalar(a, tolerance);
                NDArray noise = scalar(a, floor)) {
            NDList out = call("top_triplet_lanczos", a, start, steps, tol, noise);
            return new Lanczos(out.get(0), out.get(1), out.get(2), out.get(3));
        }
    }

    /** Lower-triangular part of the last two axes: entries with column − row &gt; k are zeroed. */
    public NDArray tril(NDArray a, long k) {
        try (NDArray kk = scalar(a, k)) {
            return call("tril", a, kk).head();
        }
    }

    /** Upper-triangular part of the last two axes: entries with column − row &lt; k are zeroed. */
    public NDArray triu(NDArray a, long k) {
        try (NDArray kk = scalar(a, k)) {
            return call("triu", a, kk).head();
        }
    }

    // ---- sampling ----

    /**
     * {@code n} draws with replacement per row from the (unnormalised, non-negative) weights {@code probs}
     * [B, V], using libtorch's global generator ({@code Engine.setRandomSeed}). Returns int64 [B, n].
     */
    public NDArray multinomial(NDArray probs, int n) {
        try (NDArray nn = scalar(probs, (long) n)) {
            return call("multinomial", probs, nn).head();
        }
    }

    /**
     * One draw per row from the (unnormalised, non-negative) weights {@code probs} [B, V] by inverting the CDF at
     * the given uniforms {@code u} [B] in [0, 1): index = #{j : cdf_j ≤ u·cdf_V}. Deterministic given u, so the
     * caller's generator (whose state can be checkpointed) decides the draw. Returns int64 [B].
     */
    public NDArray sampleInverseCdf(NDArray probs, NDArray u) {
        return call("sample_inverse_cdf", probs, u).head();
    }

    // ---- bf16 (differentiable casts; the returned bf16 tensors must stay inside these methods' GEMMs) ----

    /**
     * fp32 → bf16 cast that keeps the autograd graph (DJL's {@code toType} cuts it). The result reports dtype
     * {@code unknown} in DJL: only pass it to {@link #toF32}, {@link #matmulBf16} or raw byte access; DJL ops that
     * pass a dtype down (softmax, toFloatArray) abort the JVM.
     */
    public NDArray toBf16(NDArray x) {
        return call("to_bf16", x).head();
    }

    /** bf16 (or any float type) → fp32 cast that keeps the autograd graph. */
    public NDArray toF32(NDArray x) {
        return call("to_f32", x).head();
    }

    /** a·b computed in bf16 (inputs rounded to bf16, fp32 accumulation in the kernel), returned as fp32. */
    public NDArray matmulBf16(NDArray a, NDArray b) {
        return call("matmul_bf16", a, b).head();
    }

    /** x·wᵀ for a weight w [out, in] computed in bf16 and returned as fp32: the bf16 compute path for fp32 masters. */
    public NDArray linearBf16(NDArray x, NDArray w) {
        return call("linear_bf16", x, w).head();
    }

    // ---- weights straight into native memory (no Java heap or direct buffer holds them, DJL.md §12) ----

    /**
     * Reads {@code count} little-endian elements of type {@code stored} that start at byte {@code offset} of
     * {@code file} into a new 1-d array of type {@code to} on {@code manager}'s device. libtorch maps the file
     * privately ({@code from_file}, read-only) and copies {@code chunkElements} elements at a time into the result,
     * converting the type on the way; each chunk's mapping is dropped before the next one is made, so the transient
     * memory is one chunk of file pages. {@code stored} may be a type DJL cannot hold (BFLOAT16, FLOAT16): it never
     * reaches Java. A byte offset that is not a multiple of the element size costs one extra copy of the chunk.
     */
    public NDArray readFile(
            NDManager manager, Path file, long offset, long count, DataType stored, DataType to, long chunkElements) {
        if (chunkElements <= 0) {
            throw new IllegalArgumentException("chunkElements must be positive, got " + chunkElements);
        }
        long[] at = {offset, count, scalarType(stored), stored.getNumOfBytes(), scalarType(to), chunkElements};
        try (NDManager args = manager.newSubManager()) {
            NDArray like = args.create(0f);
            NDArray path = args.create(file.toAbsolutePath().toString());
            NDArray params = args.create(at);
            NDArray out = call("read_file", like, path, params).head();
            out.attach(manager);
            return out;
        }
    }

    /**
     * The bytes of {@code x} as they lie in a file that stores it as {@code stored}: a 1-d UINT8 array on the CPU,
     * in the host's byte order, converted (round to nearest even for BF16/F16) where {@code stored} differs from x's
     * type: one native copy of x (the TorchScript of this libtorch has no byte view of a tensor, only
     * {@code view_copy}), freed when the result is closed. {@code stored} may be a type DJL cannot hold (BFLOAT16):
     * it never reaches Java.
     */
    public NDArray fileBytes(NDArray x, DataType stored) {
        try (NDArray code = x.getManager().create(scalarType(stored))) {
            return call("file_bytes", x, code).head();
        }
    }

    /**
     * Inverted dropout: x ⊙ m / (1 − p) with m ~ Bernoulli(1 − p) drawn from a generator of its own seeded with
     * {@code seed} on x's device, so the mask depends only on the seed and the shape (libtorch's global generator,
     * which anything may draw from, is not used). Differentiable in x.
     */
    public NDArray dropout(NDArray x, double p, long seed) {
        try (NDArray rate = scalar(x, p);
                NDArray s = scalar(x, seed & Long.MAX_VALUE)) {
            return call("dropout", x, rate, s).head();
        }
    }

    /**
     * A new array of the given shape and type on {@code manager}'s device filled with independent N(0, std²) draws
     * from a libtorch CPU generator (mt19937) seeded with {@code seed}: the values depend only on seed, shape and
     * type, are the same for every device (the draw is made on the CPU and then moved), and never pass through Java.
     */
    public static NDArray randomNormal(NDManager manager, Shape shape, DataType type, double std, long seed) {
        Device device = manager.getDevice();
        boolean onCpu = Device.cpu().equals(device);
        try (NDManager host = onCpu ? manager.newSubManager() : NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = host.create(shape, type); // uninitialised (torch.empty), filled in place below
            NDArray s = host.create(seed);
            NDArray sd = host.create(std);
            on(Device.cpu()).call("fill_normal", x, s, sd).close(); // the result is x itself
            NDArray out = onCpu ? x : x.toDevice(device, false);
            out.attach(manager);
            return out;
        }
    }

    /** libtorch's ScalarType code of a DJL type (c10/core/ScalarType.h). */
    static int scalarType(DataType type) {
        return switch (type) {
            case UINT8 -> 0;
            case INT8 -> 1;
            case INT32 -> 3;
            case INT64 -> 4;
            case FLOAT16 -> 5;
            case FLOAT32 -> 6;
            case FLOAT64 -> 7;
            case BOOLEAN -> 11;
            case BFLOAT16 -> 15;
            default -> throw new IllegalArgumentException("no libtorch scalar type for DJL " + type);
        };
    }

    // ---- optimizer kernels (in place, outside autograd) ----

    /**
     * One AdamW update of every parameter that has a gradient, then zeroes those gradients: libtorch's
     * {@code torch._fused_adamw_} (the kernel of {@code torch.optim.AdamW(fused=True)}), once per group. For step t,
     * gradient g and the group's weight decay λ, element-wise in one pass:
     * <pre>
     *   w ← w · (1 − lr·λ)
     *   m ← β1·m + (1 − β1)·g
     *   v ← β2·v + (1 − β2)·g²
     *   w ← w − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
     * </pre>
     * The lists are parallel and ordered by group: group i is the next {@code groupSizes[i]} entries. Parameters
     * without a gradient are skipped, as in PyTorch. One native call for the whole update.
     */
    public void adamwStep(
            List<NDArray> params,
            List<NDArray> expAvgs,
            List<NDArray> expAvgSqs,
            long[] groupSizes,
            double[] weightDecays,
            long step,
            double lr,
            double beta1,
            double beta2,
            double eps) {
        run(
                "adamw_step",
                tensorList(params),
                tensorList(expAvgs),
                tensorList(expAvgSqs),
                IValue.listFrom(groupSizes),
                IValue.listFrom(weightDecays),
                IValue.from((double) step),
                IValue.from(lr),
                IValue.from(beta1),
                IValue.from(beta2),
                IValue.from(eps));
    }

    /**
     * The global L2 norm ‖g‖ = sqrt(Σ_p ‖g_p‖²) of the gradients of {@code params} (those that have one), and, when
     * {@code maxNorm > 0} and ‖g‖ is finite, every gradient scaled in place by min(1, maxNorm / (‖g‖ + 1e-6)), as
     * {@code torch.nn.utils.clip_grad_norm_} does. Returns ‖g‖ before clipping (0 when no gradient exists).
     */
    public double clipGradNorm(List<NDArray> params, double maxNorm) {
        return run("clip_grad_norm", tensorList(params), IValue.from(maxNorm));
    }

    /** Zeroes the gradient of every parameter that has one (gradients accumulate across backward passes). */
    public void zeroGradients(List<NDArray> params) {
        run("zero_grad", tensorList(params));
    }

    private static IValue tensorList(List<NDArray> arrays) {
        return IValue.listFrom(arrays.stream().map(a -> (PtNDArray) a).toArray(PtNDArray[]::new));
    }

    /**
     * Runs {@code method} on the inference path (no autograd: in-place updates of leaves that require gradients
     * are allowed there), closes the arguments and returns the method's float result: the first element when it
     * returns a tuple, NaN when it returns no float.
     */
    private double run(String method, IValue... args) {
        try (IValue out = IValueUtils.runMethod(module, method, args)) {
            if (out.isDouble()) {
                return out.toDouble();
            }
            if (out.isTuple()) {
                IValue[] elements = out.toIValueTuple();
                try {
                    return elements[0].isDouble() ? elements[0].toDouble() : Double.NaN;
                } finally {
                    for (IValue e : elements) {
                        e.close();
                    }
                }
            }
            return Double.NaN;
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    /** Result of {@link #svd}: u [m, k], s [k], vt [k, n] with k = min(m, n). */
    public record Svd(NDArray u, NDArray s, NDArray vt) implements AutoCloseable {
        @Override
        public void close() {
            u.close();
            s.close();
            vt.close();
        }
    }

    /**
     * Result of {@link #topTripletLanczos}: {@code stats} = [σ₁, σ₂, ρ₁, ‖A‖_F, steps, converged (1 or 0), ρ₂] in fp64
     * (σ₂ the second Ritz value, a lower bound of the true σ₂), u₁ [m] and v₁ [n] (unit), and the top Ritz right
     * vectors as rows [≤ p, n] (v₁ first), a warm start for a nearby matrix. When A·start = 0 there is no Ritz triplet: steps and σ₁
     * are 0 and the vectors are meaningless.
     */
    public record Lanczos(NDArray stats, NDArray u, NDArray v, NDArray ritz) implements AutoCloseable {
        @Override
        public void close() {
            stats.close();
            u.close();
            v.close();
            ritz.close();
        }
    }

    /** Result of {@link #qr}: q [m, k], r [k, n]. */
    public record Qr(NDArray q, NDArray r) implements AutoCloseable {
        @Override
        public void close() {
            q.close();
            r.close();
        }
    }
}
