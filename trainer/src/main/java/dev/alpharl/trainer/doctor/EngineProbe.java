package dev.alpharl.trainer.doctor;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.NativeLibrary;
import dev.alpharl.trainer.doctor.EngineFacts.CudaDevice;
import dev.alpharl.trainer.doctor.EngineFacts.CudaRuntime;
import dev.alpharl.trainer.doctor.EngineFacts.DeviceCheck;
import dev.alpharl.trainer.doctor.EngineFacts.LoadedLibrary;
import dev.alpharl.trainer.doctor.EngineFacts.TorchCuda;
import dev.alpharl.trainer.tensor.TorchOps;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts DJL's PyTorch engine the trainer's way ({@link TorchRuntime}) and records what happened: each step is
 * guarded, so a failure is reported with the loader's or libtorch's message instead of ending the probe. A native
 * crash cannot be guarded: {@link Doctor} therefore runs this in a child JVM ({@link #main}) by default.
 */
public final class EngineProbe {

    /** The line prefix of the facts (JSON) on the child's stdout. */
    static final String MARKER = "ALPHARL-DOCTOR-ENGINE ";

    /** How a bf16 check's detail starts when a plain DJL operation (fp32 arange, sin, matmul) failed. */
    static final String DJL_STAGE = "a plain DJL operation failed: ";

    /** How a bf16 check's detail starts when the trainer's ops library failed (loading or its bf16 matmul). */
    static final String OPS_STAGE = "the trainer's ops library failed: ";

    private static final Pattern CACHE_DIR_NAME =
            Pattern.compile("\\d+\\.\\d+\\.\\d+(?:-\\d+)?-(.+)-(?:linux|osx|win)-[a-z0-9_]+");

    private EngineProbe() {}

    /** Child-JVM entry point: prints the facts as one JSON line after {@link #MARKER}, then exits. */
    public static void main(String[] args) throws Exception {
        EngineFacts facts = examine();
        System.out.println(MARKER + new ObjectMapper().writeValueAsString(facts));
        System.out.flush();
        System.exit(0);
    }

    /** Starts the engine in this JVM (once per JVM: a second call sees the first start) and examines it. */
    public static EngineFacts examine() {
        Engine engine = null;
        String error = null;
        try {
            engine = TorchRuntime.init();
        } catch (Throwable t) { // UnsatisfiedLinkError, EngineException, NoClassDefFoundError ...
            error = chain(t);
        }
        List<LoadedLibrary> libraries = NativeMaps.loaded();
        LoadedLibrary jni = libraries.stream()
                .filter(l -> l.name().endsWith("libdjl_torch.so"))
                .findFirst()
                .orElse(null);
        LoadedLibrary libtorch = NativeMaps.find(libraries, "libtorch.so");
        String libtorchDir = engine != null ? attempt(LibUtils::getLibtorchPath) : null;
        if (libtorchDir == null && libtorch != null) {
            libtorchDir = Path.of(libtorch.path()).getParent().toString();
        }
        if (libtorchDir == null) {
            libtorchDir = DjlLookup.firstLibtorchEntry(System.getenv("PYTORCH_LIBRARY_PATH"));
        }
        String version = engine != null ? attempt(engine::getVersion) : null;
        List<String> features = engine != null
                ? attemptOr(() -> JniUtils.getFeatures().stream().sorted().toList(), List.of())
                : List.of();
        Integer intra = engine != null ? attempt(JniUtils::getNumThreads) : null;
        Integer inter = engine != null ? attempt(JniUtils::getNumInteropThreads) : null;

        CudaRuntime cudart = cudart();
        Integer djlGpus = attempt(CudaUtils::getGpuCount);
        Engine started = engine;
        Integer engineGpus = engine != null ? attempt(started::getGpuCount) : null;
        List<CudaDevice> devices = new ArrayList<>();
        for (int i = 0; djlGpus != null && i < djlGpus; i++) {
            devices.add(device(i));
        }
        TorchCuda torchCuda = torchCuda(libtorchDir, libraries);
        List<DeviceCheck> bf16 = new ArrayList<>();
        if (engine != null) {
            bf16.add(bf16(Device.cpu()));
            for (int i = 0; engineGpus != null && i < engineGpus; i++) {
                bf16.add(bf16(Device.gpu(i)));
            }
        }
        // what the checks above loaded too (libcudart, libtorch_cuda)
        libraries = NativeMaps.loaded();
        return new EngineFacts(
                engine != null,
                error,
                version,
                libtorchDir,
                jni == null ? null : jni.path(),
                flavourOf(jni),
                libraries,
                features,
                cudart,
                djlGpus,
                engineGpus,
                devices,
                torchCuda,
                intra,
                inter,
                bf16);
    }

    /** The flavour named by the directory the JNI library came from (DJL's cache: VERSION-FLAVOUR-PLATFORM). */
    static String flavourOf(LoadedLibrary jni) {
        if (jni == null) {
            return null;
        }
        Path dir = Path.of(jni.path()).getParent();
        Matcher m = CACHE_DIR_NAME.matcher(
                dir == null || dir.getFileName() == null
                        ? ""
                        : dir.getFileName().toString());
        if (m.matches()) {
            return m.group(1);
        }
        if (dir != null && Files.exists(dir.resolve("libtorch.so"))) {
            return "built locally, next to libtorch";
        }
        return m.matches() ? m.group(1) : null;
    }

    /** libcudart loaded by name through JNA, as DJL's CudaUtils does, and what it says. */
    static CudaRuntime cudart() {
        NativeLibrary lib;
        try {
            lib = NativeLibrary.getInstance("cudart");
        } catch (UnsatisfiedLinkError e) {
            return new CudaRuntime(null, oneLine(e.getMessage()), null, null, null, null);
        } catch (Throwable t) {
            return new CudaRuntime(null, chain(t), null, null, null, null);
        }
        Integer countError = null;
        String countText = null;
        Integer runtime = null;
        Integer driver = null;
        try {
            int[] count = new int[1];
            int rc = lib.getFunction("cudaGetDeviceCount").invokeInt(new Object[] {count});
            if (rc != 0) {
                countError = rc;
                countText = lib.getFunction("cudaGetErrorString").invokeString(new Object[] {rc}, false);
            }
            int[] v = new int[1];
            if (lib.getFunction("cudaRuntimeGetVersion").invokeInt(new Object[] {v}) == 0) {
                runtime = v[0];
            }
            v[0] = 0;
            if (lib.getFunction("cudaDriverGetVersion").invokeInt(new Object[] {v}) == 0) {
                driver = v[0];
            }
        } catch (Throwable t) {
            countText = (countText == null ? "" : countText + "; ") + chain(t);
        }
        LoadedLibrary mapped = NativeMaps.find(NativeMaps.loaded(), "libcudart");
        return new CudaRuntime(
                mapped == null
                        ? lib.getFile() == null ? lib.getName() : lib.getFile().toString()
                        : mapped.path(),
                null,
                countError,
                countText,
                runtime,
                driver);
    }

    private static CudaDevice device(int index) {
        try {
            String cc = CudaUtils.getComputeCapability(index);
            MemoryUsage memory = CudaUtils.getGpuMemory(Device.gpu(index));
            return new CudaDevice(index, cc, memory.getMax() >> 20, memory.getCommitted() >> 20, null);
        } catch (Throwable t) {
            return new CudaDevice(index, null, null, null, chain(t));
        }
    }

    /** libtorch_cuda.so of the libtorch in {@code dir}: loaded from where, or the loader's error on loading it. */
    private static TorchCuda torchCuda(String dir, List<LoadedLibrary> libraries) {
        LoadedLibrary loaded = NativeMaps.find(libraries, "libtorch_cuda.so");
        if (loaded != null) {
            return new TorchCuda(true, loaded.path(), null);
        }
        Path file = dir == null ? null : Path.of(dir).resolve("libtorch_cuda.so");
        if (file == null || !Files.exists(file)) {
            return new TorchCuda(false, null, null);
        }
        try {
            System.load(file.toAbsolutePath().toString());
            return new TorchCuda(true, null, null);
        } catch (Throwable t) {
            return new TorchCuda(true, null, oneLine(t.getMessage()));
        }
    }

    /**
     * A bf16 matmul through the trainer's ops library against DJL's fp32 matmul on {@code device}; a failure names
     * its stage: a plain DJL operation failing means the JNI library does not fit this libtorch.
     */
    private static DeviceCheck bf16(Device device) {
        String name = device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
        try (NDManager manager = NDManager.newBaseManager(device)) {
            NDArray a;
            NDArray b;
            NDArray reference;
            float scale;
            try {
                a = manager.randomNormal(new Shape(64, 96));
                b = manager.randomNormal(new Shape(96, 48));
                reference = a.matMul(b);
                // bf16 rounds each input to 8 significant bits: bound the error by |a|·|b|, not by |a·b|
                scale = a.abs().matMul(b.abs()).max().getFloat();
            } catch (Throwable t) {
                return new DeviceCheck(name, false, null, DJL_STAGE + chain(t));
            }
            try {
                NDArray bf16 = TorchOps.on(device).matmulBf16(a, b);
                float diff = bf16.sub(reference).abs().max().getFloat();
                double rel = scale == 0 ? diff : diff / (double) scale;
                boolean ok = Double.isFinite(rel) && rel < 1e-2;
                return new DeviceCheck(name, ok, rel, ok ? null : "bf16 result differs from fp32 by " + rel);
            } catch (Throwable t) {
                return new DeviceCheck(name, false, null, OPS_STAGE + chain(t));
            }
        } catch (Throwable t) {
            return new DeviceCheck(name, false, null, chain(t));
        }
    }

    /** Each cause's class and first lines of message, outermost first. */
    static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (Throwable c = t; c != null && depth < 6; c = c.getCause(), depth++) {
            if (depth > 0) {
                sb.append(" / caused by ");
            }
            sb.append(c.getClass().getSimpleName());
            String message = c.getMessage();
            if (message != null && !message.isBlank()) {
                sb.append(": ").append(firstLines(message, 3));
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }

    private static String firstLines(String message, int n) {
        return String.join(
                " | ",
                message.strip()
                        .lines()
                        .map(String::strip)
                        .filter(l -> !l.isEmpty())
                        .limit(n)
                        .toList());
    }

    private static String oneLine(String message) {
        return message == null ? null : firstLines(message, 6);
    }

    private static <T> T attempt(Callable<T> call) {
        return attemptOr(call, null);
    }

    private static <T> T attemptOr(Callable<T> call, T fallback) {
        try {
            return call.call();
        } catch (Throwable t) {
            return fallback;
        }
    }
}
