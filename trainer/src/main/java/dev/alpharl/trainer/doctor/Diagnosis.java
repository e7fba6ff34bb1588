package dev.alpharl.trainer.doctor;

import dev.alpharl.trainer.doctor.DoctorReport.Advice;
import dev.alpharl.trainer.doctor.DoctorReport.DjlInfo;
import dev.alpharl.trainer.doctor.DoctorReport.Finding;
import dev.alpharl.trainer.doctor.DoctorReport.GpuInfo;
import dev.alpharl.trainer.doctor.DoctorReport.Level;
import dev.alpharl.trainer.doctor.DoctorReport.LibtorchChoice;
import dev.alpharl.trainer.doctor.EngineFacts.DeviceCheck;
import dev.alpharl.trainer.doctor.EngineFacts.TorchCuda;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the facts into findings: what stops the GPU (or the engine) from being used, and what to do about it. */
public final class Diagnosis {

    private static final Pattern MISSING_LIB =
            Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file");
    private static final String PIP_CU128 = "pip install --target /opt/torch-2.7.1 torch==2.7.1 "
            + "--index-url https://download.pytorch.org/whl/cu128   (then PYTORCH_LIBRARY_PATH=/opt/torch-2.7.1/torch/lib)";

    private final DjlLookup.Settings settings;
    private final DjlInfo djl;
    private final LibtorchChoice choice;
    private final EngineFacts engine;
    private final GpuInfo gpu;
    private final List<Advice> installs;
    private final List<Finding> findings = new ArrayList<>();

    private Diagnosis(
            DjlLookup.Settings settings,
            DjlInfo djl,
            LibtorchChoice choice,
            EngineFacts engine,
            GpuInfo gpu,
            List<Advice> installs) {
        this.settings = settings;
        this.djl = djl;
        this.choice = choice;
        this.engine = engine;
        this.gpu = gpu;
        this.installs = installs;
    }

    /** The findings, most important first within each area (library path, engine, GPU, bf16, installs). */
    public static List<Finding> of(
            DjlLookup.Settings settings,
            DjlInfo djl,
            LibtorchChoice choice,
            EngineFacts engine,
            GpuInfo gpu,
            List<Advice> installs) {
        Diagnosis d = new Diagnosis(settings, djl, choice, engine, gpu, installs);
        d.libraryPath();
        d.engineStart();
        d.cuda();
        d.bf16();
        d.alternatives();
        return List.copyOf(d.findings);
    }

    private void add(Level level, String message, String... fix) {
        findings.add(new Finding(level, message, List.of(fix)));
    }

    private String jniTorch() {
        return djl.jniTorchVersion() == null ? "2.7.1" : djl.jniTorchVersion();
    }

    // ---- where libtorch and the JNI library come from ----

    private void libraryPath() {
        String libraryPath = settings.value("PYTORCH_LIBRARY_PATH");
        if (libraryPath != null && !choice.override()) {
            add(
                    Level.ERROR,
                    "PYTORCH_LIBRARY_PATH=" + libraryPath + " holds no libtorch.so ("
                            + String.join("; ", choice.entries())
                            + "): DJL ignores it without a word and uses "
                            + (choice.dir() != null ? "the CPU libtorch bundled in trainer.jar" : choice.jni()),
                    "point PYTORCH_LIBRARY_PATH at the directory that holds libtorch.so: for a pip torch "
                            + ".../site-packages/torch/lib, for a libtorch zip libtorch/lib"
                            + (installs.isEmpty() ? "" : " (the torch installs found are listed below)"));
        }
        TorchInstall torch = choice.torch();
        if (choice.override() && torch != null) {
            if (!torch.dedicated()) {
                add(
                        Level.WARN,
                        "PYTORCH_LIBRARY_PATH points at " + torch.libDir() + ", a " + torch.kind()
                                + " library directory: DJL loads every shared library under it (recursively), not "
                                + "only torch's",
                        "give DJL a directory with links to torch's libraries only (bench/gpu/build-jni.sh makes "
                                + "one; the installs below show the commands)");
            }
            boolean localJni =
                    choice.jni().startsWith("next to libtorch") || choice.jni().startsWith("DJL's cache");
            String base = torch.baseVersion();
            if (base == null) {
                add(
                        Level.WARN,
                        "cannot tell the version of the libtorch in " + torch.libDir()
                                + " (no version.py, build-version or headers): trainer.jar's JNI library needs "
                                + "libtorch " + jniTorch());
            } else if (!localJni && !base.equals(jniTorch())) {
                add(
                        Level.ERROR,
                        "the libtorch in " + torch.libDir() + " is " + torch.version() + ", but the JNI library DJL "
                                + "will use is built for libtorch " + jniTorch() + ": a JNI library works only with "
                                + "the libtorch it was compiled against (else: undefined symbols, crashes, or CUDA "
                                + "not seen, as on the H200 with torch 2.11)",
                        torch.headers()
                                ? "build one for it: bench/gpu/build-jni.sh --torch " + torch.libDir()
                                : "this install has no C++ headers to build a JNI library against: use libtorch "
                                        + jniTorch() + ", e.g. " + PIP_CU128);
            }
            String flavour = choice.flavour();
            if (torch.cuda() && flavour != null && !flavour.contains("cu")) {
                add(
                        Level.ERROR,
                        "the libtorch in " + torch.libDir() + " is a CUDA build, but the flavour is " + flavour
                                + ": DJL loads libtorch_cuda.so only for a flavour containing \"cu\", so libtorch "
                                + "sees no GPU",
                        "export PYTORCH_FLAVOR=" + (localJni ? EnvAdvisor.cudaFlavour(torch) : "cu128"));
            }
        }
        if (!choice.jniOk()) {
            String fix;
            if (choice.override() && choice.flavour() == null) {
                fix = "export PYTORCH_FLAVOR="
                        + (choice.torch() != null && choice.torch().cuda() ? "cu128" : "cpu")
                        + " (trainer.jar has JNI libraries for " + String.join(", ", djl.jniFlavours()) + ")";
            } else if (choice.jni().contains("download") && !choice.override()) {
                fix = "PYTORCH_VERSION without a usable PYTORCH_LIBRARY_PATH makes DJL download that libtorch: unset "
                        + "PYTORCH_VERSION, or point PYTORCH_LIBRARY_PATH at a libtorch of that version";
            } else if (choice.jni().contains("download")) {
                fix = "unset PYTORCH_VERSION (or set it to " + jniTorch() + ") to use trainer.jar's JNI library, or "
                        + "install a JNI library built for this libtorch next to it (bench/gpu/build-jni.sh)";
            } else if (choice.jni().contains("not a version")) {
                fix = "export PYTORCH_VERSION="
                        + settings.value("PYTORCH_VERSION").replaceFirst("\\+.*", "");
            } else if (choice.torch() != null && choice.torch().cuda()) {
                fix = "export PYTORCH_FLAVOR=cu128 (trainer.jar's CUDA JNI library, for libtorch " + jniTorch()
                        + " only), or install a JNI library built for this libtorch next to it: "
                        + "bench/gpu/build-jni.sh --torch " + choice.torch().libDir();
            } else {
                fix = "export PYTORCH_FLAVOR=cpu (trainer.jar's CPU JNI library, for libtorch " + jniTorch()
                        + " only), or install a JNI library built for this libtorch next to it (bench/gpu/build-jni.sh)";
            }
            add(Level.ERROR, "JNI library: " + choice.jni(), fix);
        }
    }

    // ---- the engine ----

    private void engineStart() {
        if (engine == null) {
            add(Level.INFO, "the engine was not started (--no-engine): the CUDA and bf16 checks were skipped");
            return;
        }
        if (!engine.started()) {
            add(Level.ERROR, "the PyTorch engine does not start: " + engine.error(), startFix(engine.error()));
            return;
        }
        add(
                Level.OK,
                "the engine starts: libtorch " + engine.libtorchVersion() + " from " + engine.libtorchDir()
                        + ", JNI library " + engine.jniPath()
                        + (engine.flavour() == null ? "" : " (" + engine.flavour() + ")"));
        TorchInstall torch = choice.torch();
        if (choice.override()
                && torch != null
                && torch.baseVersion() != null
                && engine.libtorchVersion() != null
                && !engine.libtorchVersion().startsWith(torch.baseVersion())) {
            add(
                    Level.INFO,
                    "DJL reports libtorch " + engine.libtorchVersion() + " (PYTORCH_VERSION or its default), but the "
                            + "libtorch in " + torch.libDir() + " is " + torch.version(),
                    "export PYTORCH_VERSION=" + torch.baseVersion());
        }
    }

    private String startFix(String error) {
        String e = error == null ? "" : error;
        TorchInstall torch = choice.torch();
        String build = torch != null && torch.headers()
                ? "bench/gpu/build-jni.sh --torch " + torch.libDir()
                : "bench/gpu/build-jni.sh --torch <a torch with headers>";
        if (e.contains("undefined symbol")) {
            return "the JNI library does not match this libtorch: build one for it (" + build + "), or use libtorch "
                    + jniTorch();
        }
        Matcher missing = MISSING_LIB.matcher(e);
        if (missing.find()) {
            return missing.group(1) + " is not on the loader's path: add the directory that holds it to "
                    + "LD_LIBRARY_PATH (a pip torch keeps CUDA's libraries in site-packages/nvidia/*/lib)";
        }
        if (e.contains("invalid ELF header") || e.contains("file too short") || e.contains("wrong ELF class")) {
            return "a file in the libtorch directory is not a shared library for this machine: point "
                    + "PYTORCH_LIBRARY_PATH at a real libtorch";
        }
        if (e.contains("Unexpected version")) {
            return "write PYTORCH_VERSION as x.y.z (2.7.1, not 2.7.1+cu128)";
        }
        if (e.contains("Offline mode")) {
            return "DJL tried to download (see the JNI library line): fix that setting, or allow downloads with "
                    + "DJL_OFFLINE=false on a machine with network";
        }
        if (e.contains("jni") || e.contains("Resource not found") || e.contains("NullPointerException")) {
            return "set PYTORCH_FLAVOR to a flavour trainer.jar carries (" + String.join(", ", djl.jniFlavours())
                    + ") or install a JNI library next to libtorch (" + build + ")";
        }
        if (e.contains("crashed") || e.contains("signal") || e.contains("exit code")) {
            return "a JNI library built for another libtorch, or a broken libtorch, crashes the JVM: " + build;
        }
        if (e.contains("did not finish")) {
            return "run again; if it hangs again, check the driver (nvidia-smi) and CUDA_VISIBLE_DEVICES";
        }
        return "read the message above; `--log-level debug` shows DJL's loading steps";
    }

    // ---- CUDA ----

    private void cuda() {
        if (engine == null || !engine.started()) {
            return;
        }
        int gpus = engine.engineGpuCount() == null ? 0 : engine.engineGpuCount();
        if (gpus > 0) {
            add(Level.OK, "libtorch sees " + gpus + " CUDA device(s): model.device auto (or cuda:N) trains on the GPU");
            return;
        }
        boolean hardware = gpu.present() || (engine.djlGpuCount() != null && engine.djlGpuCount() > 0);
        TorchCuda torchCuda = engine.torchCuda();
        boolean cudaBuild = torchCuda != null
                ? torchCuda.present()
                : choice.torch() != null && choice.torch().cuda();
        String dir = engine.libtorchDir();
        if (!cudaBuild) {
            if (hardware) {
                add(
                        Level.ERROR,
                        "this machine has an NVIDIA GPU, but the libtorch in use (" + dir
                                + ") is a CPU build (no libtorch_cuda.so): the trainer runs on the CPU",
                        "use a CUDA libtorch: the installs below say how; without one, " + PIP_CU128);
            } else {
                add(
                        Level.INFO,
                        "no NVIDIA GPU or driver here, and the libtorch in use (" + dir + ") is a CPU build (no "
                                + "libtorch_cuda.so): the trainer runs on the CPU (model.device auto picks cpu)");
            }
            return;
        }
        if (torchCuda != null && torchCuda.loadedFrom() == null) {
            if (torchCuda.loadError() != null) {
                add(
                        Level.ERROR,
                        "libtorch_cuda.so is in " + dir + " but does not load: " + torchCuda.loadError(),
                        startFix(torchCuda.loadError()));
            } else {
                add(
                        Level.ERROR,
                        "libtorch_cuda.so is in " + dir + " and loads, but DJL did not load it: the flavour ("
                                + (engine.flavour() == null ? choice.flavour() : engine.flavour())
                                + ") has no \"cu\"",
                        "export PYTORCH_FLAVOR=cu128 (or the cuNNN name of a JNI library built for this torch)");
            }
            return;
        }
        boolean torchCudaAvailable = engine.features().contains("CUDA");
        EngineFacts.CudaRuntime rt = engine.cudart();
        if (!torchCudaAvailable) {
            List<String> why = new ArrayList<>();
            String visible = settings.env().get("CUDA_VISIBLE_DEVICES");
            if (visible != null
                    && (visible.isBlank() || visible.strip().startsWith("-1") || visible.equalsIgnoreCase("none"))) {
                why.add("CUDA_VISIBLE_DEVICES=\"" + visible + "\" hides every GPU");
            }
            if (!gpu.present()) {
                why.add("no NVIDIA driver is loaded on this machine (no /proc/driver/nvidia/version)");
            }
            if (rt != null && rt.countError() != null) {
                why.add("libcudart says: " + rt.countErrorText() + " (error " + rt.countError() + ")"
                        + driverVsRuntime(rt));
            }
            TorchInstall torch = choice.torch();
            boolean localJni =
                    choice.jni().startsWith("next to libtorch") || choice.jni().startsWith("DJL's cache");
            if (torch != null
                    && torch.baseVersion() != null
                    && !localJni
                    && !torch.baseVersion().equals(jniTorch())) {
                why.add("the JNI library is built for libtorch " + jniTorch() + " and this libtorch is "
                        + torch.version() + " (the H200 case: DJL's cu128 JNI library on torch 2.11 loaded and saw "
                        + "no CUDA)");
            }
            add(
                    Level.ERROR,
                    "libtorch_cuda.so is loaded, but libtorch reports no CUDA (torch::cuda::is_available() is false)"
                            + (why.isEmpty() ? "" : ": " + String.join("; ", why)),
                    why.stream().anyMatch(w -> w.contains("JNI library is built"))
                            ? "build a JNI library for this libtorch: bench/gpu/build-jni.sh --torch " + dir
                            : "check the driver with nvidia-smi; the driver must support the CUDA version torch was "
                                    + "built for");
            return;
        }
        int djlCount = engine.djlGpuCount() == null ? 0 : engine.djlGpuCount();
        if (djlCount == 0) {
            String how = rt == null
                    ? "was not examined"
                    : rt.loadError() != null
                            ? "did not load: " + rt.loadError()
                            : "(" + rt.loadedFrom() + ") says: " + rt.countErrorText();
            String cudartDir = choice.torch() != null && choice.torch().cudart() != null
                    ? Path.of(choice.torch().cudart()).getParent().toString()
                    : "<the directory holding libcudart.so.N: pip's site-packages/nvidia/cuda_runtime/lib>";
            add(
                    Level.ERROR,
                    "libtorch has CUDA, but DJL counts 0 GPUs, so the trainer sees none: DJL counts them through "
                            + "libcudart loaded by JNA, which " + how,
                    "export JAVA_TOOL_OPTIONS=\"-Djna.library.path=" + cudartDir + "\"   (JNA finds a versioned "
                            + "libcudart.so.N only in jna.library.path; on the loader's path it needs libcudart.so)");
        }
    }

    private static String driverVsRuntime(EngineFacts.CudaRuntime rt) {
        if (rt.driverVersion() == null || rt.runtimeVersion() == null) {
            return "";
        }
        if (rt.driverVersion() == 0) {
            return "; no CUDA driver";
        }
        return String.format(
                Locale.ROOT,
                "; the driver supports CUDA up to %d.%d, this libcudart is %d.%d",
                rt.driverVersion() / 1000,
                (rt.driverVersion() / 10) % 100,
                rt.runtimeVersion() / 1000,
                (rt.runtimeVersion() / 10) % 100);
    }

    // ---- bf16 ----

    private void bf16() {
        if (engine == null || !engine.started() || engine.bf16().isEmpty()) {
            return;
        }
        List<String> ok = new ArrayList<>();
        for (DeviceCheck check : engine.bf16()) {
            if (check.ok()) {
                ok.add(check.device() + String.format(Locale.ROOT, " (max rel. error %.1e)", check.maxRelError()));
                continue;
            }
            String detail = check.detail() == null ? "failed" : check.detail();
            if (detail.startsWith(EngineProbe.DJL_STAGE)) {
                TorchInstall torch = choice.torch();
                add(
                        Level.ERROR,
                        "the engine starts but plain tensor operations fail on " + check.device() + ": "
                                + detail.substring(EngineProbe.DJL_STAGE.length())
                                + ": this is how a JNI library behaves on a libtorch it was not built for (it loads, "
                                + "then fails or misbehaves)",
                        "use libtorch " + jniTorch()
                                + " with trainer.jar's JNI library, or build one for this libtorch: "
                                + "bench/gpu/build-jni.sh --torch "
                                + (torch != null ? torch.libDir() : "<the torch's lib directory>"));
                continue;
            }
            boolean opsLibrary = detail.contains("Unknown builtin op")
                    || detail.contains("moduleLoad")
                    || detail.contains("ops library")
                    || detail.contains("Unknown type")
                    || detail.contains("keyword argument");
            if (opsLibrary) {
                add(
                        Level.ERROR,
                        "the trainer's TorchScript ops library does not load on " + check.device() + " with this "
                                + "libtorch: " + detail,
                        "the ops library needs libtorch 2.5 or newer (scaled_dot_product_attention with "
                                + "enable_gqa); use libtorch " + jniTorch() + " or newer");
            } else {
                add(Level.WARN, "bf16 matmul on " + check.device() + " failed: " + detail);
            }
        }
        if (!ok.isEmpty()) {
            add(Level.OK, "bf16 matmul (the trainer's ops library) agrees with fp32 on " + String.join(", ", ok));
        }
    }

    // ---- other torch installs ----

    private void alternatives() {
        boolean onGpu =
                engine != null && engine.started() && engine.engineGpuCount() != null && engine.engineGpuCount() > 0;
        if (onGpu || !gpu.present()) {
            return;
        }
        List<Advice> cuda = installs.stream()
                .filter(a -> a.torch().cuda() && !a.steps().isEmpty())
                .toList();
        if (cuda.isEmpty()) {
            add(
                    Level.INFO,
                    "no CUDA libtorch found on this machine (looked in site-packages, conda envs, /opt, ~/libtorch, "
                            + "/usr/lib and DJL's cache; `doctor --search DIR` looks elsewhere)",
                    PIP_CU128);
            return;
        }
        Advice best = cuda.stream()
                .filter(a -> a.verdict().contains("ready"))
                .findFirst()
                .orElse(cuda.get(0));
        add(
                Level.INFO,
                "a CUDA libtorch is installed: " + best.verdict(),
                "its commands are listed under \"Torch installs found\" below");
    }
}
