package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.datasets.SplitMix64;
import dev.alpharl.trainer.tensor.TorchOps;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The LoRA adapters of a model (docs/LORA.md): for each adapted linear layer a down-projection A [r, in] and an
 * up-projection B [out, r], held by their PEFT tensor names ({@code base_model.model.<module>.lora_A.weight},
 * {@code ….lora_B.weight}), on a manager of their own. The layer's output gains
 * <pre>
 *   Δy = s · (dropout(x) · Aᵀ) · Bᵀ,    s = alpha/r (alpha/√r with rsLoRA)
 * </pre>
 * computed in the adapters' dtype (fp32, also under a bf16 base). New adapters start as PEFT's do: A
 * kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in), and B = 0, so the adapted model starts equal to its base.
 */
public final class LoraAdapters implements AutoCloseable {

    /** The prefix PEFT puts before a module name in an adapter file. */
    public static final String PREFIX = "base_model.model.";

    private final LoraSpec spec;
    private final Map<String, LoraSpec.Module> modules;
    private final Map<String, NDArray[]> byModule;
    private final NDManager manager;
    private final long seed;

    private LoraAdapters(
            LoraSpec spec,
            Map<String, LoraSpec.Module> modules,
            Map<String, NDArray[]> byModule,
            NDManager manager,
            long seed) {
        this.spec = spec;
        this.modules = Collections.unmodifiableMap(modules);
        this.byModule = byModule;
        this.manager = manager;
        this.seed = seed;
    }

    /** PEFT's name of module {@code module}'s A tensor. */
    public static String nameOfA(String module) {
        return PREFIX + module + ".lora_A.weight";
    }

    /** PEFT's name of module {@code module}'s B tensor. */
    public static String nameOfB(String module) {
        return PREFIX + module + ".lora_B.weight";
    }

    /**
     * Fresh adapters for the modules {@code spec} selects in {@code config}: A ~ U(−1/√in, 1/√in) drawn from a
     * SplitMix64 stream per module (seeded by {@code seed} and the module's position), B = 0; {@code seed} also
     * seeds the dropout masks of training passes.
     */
    public static LoraAdapters initialise(
            LoraSpec spec, QwenConfig config, long seed, DataType dtype, NDManager parent) {
        Map<String, LoraSpec.Module> modules = spec.resolve(config);
        NDManager own = parent.newSubManager();
        Map<String, NDArray[]> arrays = new LinkedHashMap<>();
        int index = 0;
        for (LoraSpec.Module m : modules.values()) {
            SplitMix64 rnd = SplitMix64.derive(seed, 0x10AA, index++);
            double bound = 1.0 / Math.sqrt(m.in());
            double[] a = new double[Math.toIntExact(m.rank() * m.in())];
            for (int i = 0; i < a.length; i++) {
                double u = (rnd.nextLong() >>> 11) * 0x1.0p-53;
                a[i] = bound * (2 * u - 1);
            }
            NDArray arrayA = own.create(a, new Shape(m.rank(), m.in())).toType(dtype, false);
            NDArray arrayB = own.zeros(new Shape(m.out(), m.rank()), dtype);
            arrays.put(m.name(), new NDArray[] {arrayA, arrayB});
        }
        return new LoraAdapters(spec, modules, arrays, own, seed);
    }

    /**
     * Adapters over given tensors (PEFT names → arrays, e.g. read from a file), moved to a manager of their own and
     * converted to {@code dtype}. Throws {@link IllegalArgumentException} naming the tensor when one is missing,
     * unexpected or of the wrong shape; the caller adds the file.
     */
    public static LoraAdapters of(
            LoraSpec spec,
            QwenConfig config,
            Map<String, NDArray> tensors,
            long seed,
            DataType dtype,
            NDManager parent) {
        Map<String, LoraSpec.Module> modules = spec.resolve(config);
        Map<String, Shape> expected = new LinkedHashMap<>();
        for (LoraSpec.Module m : modules.values()) {
            expected.put(nameOfA(m.name()), new Shape(m.rank(), m.in()));
            expected.put(nameOfB(m.name()), new Shape(m.out(), m.rank()));
        }
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                throw new IllegalArgumentException("unexpected tensor '" + name + "': it belongs to no module the "
                        + "adapter config targets (expected names like "
                        + nameOfA(modules.keySet().iterator().next())
                        + ")");
            }
        }
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            NDArray t = tensors.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is missing (expected shape "
                        + e.getValue() + " from r, rank_pattern and the model's config.json)");
            }
            if (!t.getShape().equals(e.getValue())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + t.getShape()
                        + ", expected " + e.getValue() + " from r, rank_pattern and the model's config.json");
            }
        }
        NDManager own = parent.newSubManager();
        Map<String, NDArray[]> arrays = new LinkedHashMap<>();
        for (LoraSpec.Module m : modules.values()) {
            arrays.put(m.name(), new NDArray[] {
                owned(tensors.get(nameOfA(m.name())), dtype, own), owned(tensors.get(nameOfB(m.name())), dtype, own)
            });
        }
        return new LoraAdapters(spec, modules, arrays, own, seed);
    }

    private static NDArray owned(NDArray t, DataType dtype, NDManager own) {
        NDArray out = t.getDataType() == dtype ? t.duplicate() : t.toType(dtype, false);
        out.attach(own);
        out.setName(null);
        return out;
    }

    public LoraSpec spec() {
        return spec;
    }

    /** The adapted modules by name, in layer order. */
    public Map<String, LoraSpec.Module> modules() {
        return modules;
    }

    /** The seed of the adapters' initialisation and of the dropout masks of training passes. */
    public long seed() {
        return seed;
    }

    /** Every adapter tensor by PEFT name (A then B per module, in layer order); the arrays are the live ones. */
    public Map<String, NDArray> tensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        byModule.forEach((module, ab) -> {
            out.put(nameOfA(module), ab[0]);
            out.put(nameOfB(module), ab[1]);
        });
        return Collections.unmodifiableMap(out);
    }

    /** Sets requires-grad on every adapter tensor. */
    public void setTrainable(boolean trainable) {
        byModule.values().forEach(ab -> {
            ab[0].setRequiresGradient(trainable);
            ab[1].setRequiresGradient(trainable);
        });
    }

    /** The number of adapter parameters. */
    public long parameterCount() {
        return tensors().values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** Whether {@code module} carries an adapter. */
    public boolean adapts(String module) {
        return byModule.containsKey(module);
    }

    /**
     * Δy = s · (dropout(x) · Aᵀ) · Bᵀ of {@code module} for x [..., in]; dropout (inverted, rate lora_dropout, its
     * mask seeded from the layer's seed and the module) only in a training pass ({@code layerSeed} not null).
     */
    public NDArray delta(String module, NDArray x, Long layerSeed) {
        NDArray[] ab = byModule.get(module);
        NDArray in = layerSeed != null && spec.dropout() > 0
                ? TorchOps.of(x)
                        .dropout(
                                x,
                                spec.dropout(),
                                SplitMix64.derive(layerSeed, module.hashCode()).nextLong())
                : x;
        NDArray down = Linear.linear(in, ab[0]).head();
        NDArray up = Linear.linear(down, ab[1]).head();
        return up.mul(Constant.like(up, modules.get(module).scaling()));
    }

    /**
     * The merged weight W + s·B·A of {@code module} for its base weight {@code w} [out, in] (same dtype); the result
     * and its temporaries belong to {@code scratch}.
     */
    public NDArray merged(String module, NDArray w, NDManager scratch) {
        NDArray[] ab = byModule.get(module);
        NDArray product = ab[1].matMul(ab[0]); // lands on the adapters' manager: move it
        product.attach(scratch);
        return product.mul(Constant.like(product, modules.get(module).scaling()))
                .add(w);
    }

    @Override
    public void close() {
        manager.close();
    }
}
