package dev.alpharl.trainer.doctor;

import dev.alpharl.trainer.doctor.DoctorReport.Advice;
import dev.alpharl.trainer.doctor.DoctorReport.DjlInfo;
import dev.alpharl.trainer.doctor.DoctorReport.Finding;
import dev.alpharl.trainer.doctor.DoctorReport.GpuInfo;
import dev.alpharl.trainer.doctor.DoctorReport.JavaInfo;
import dev.alpharl.trainer.doctor.DoctorReport.LibtorchChoice;
import dev.alpharl.trainer.doctor.DoctorReport.Setting;
import dev.alpharl.trainer.doctor.EngineFacts.CudaDevice;
import dev.alpharl.trainer.doctor.EngineFacts.CudaRuntime;
import dev.alpharl.trainer.doctor.EngineFacts.DeviceCheck;
import dev.alpharl.trainer.doctor.EngineFacts.LoadedLibrary;
import java.util.List;
import java.util.Locale;

/** The report as text for a terminal: facts by area, then findings with their fixes, then the torch installs. */
public final class DoctorText {

    private static final String INDENT = "            ";

    private final StringBuilder out = new StringBuilder();

    private DoctorText() {}

    public static String render(DoctorReport r) {
        DoctorText t = new DoctorText();
        t.java(r.java());
        t.djl(r.djl());
        t.settings(r.settings());
        t.libtorch(r.libtorch());
        t.engine(r.engine(), r.engineLog());
        t.gpu(r.gpu(), r.engine());
        t.findings(r.findings());
        t.installs(r.installs());
        t.out.append(System.lineSeparator());
        t.out.append(
                        r.ok()
                                ? "doctor: no problem found"
                                : "doctor: "
                                        + r.findings().stream()
                                                .filter(f -> f.level() == DoctorReport.Level.ERROR)
                                                .count()
                                        + " problem(s) found (ERROR above)")
                .append(System.lineSeparator());
        return t.out.toString();
    }

    private void line(String label, String text) {
        out.append(String.format(Locale.ROOT, "%-12s%s%n", label, text));
    }

    private void more(String text) {
        out.append(INDENT).append(text).append(System.lineSeparator());
    }

    private void java(JavaInfo j) {
        line(
                "Java",
                j.version() + " (" + j.vendor() + ") in " + j.home() + ", " + j.os() + ", " + j.cpus()
                        + " CPUs, max heap " + j.maxHeapMb() + " MB");
    }

    private void djl(DjlInfo d) {
        line(
                "DJL",
                d.version() + "; JNI library in trainer.jar: pytorch-jni " + d.jniVersion() + " ("
                        + d.classifier() + ": " + String.join(", ", d.jniFlavours()) + "), built for libtorch "
                        + d.jniTorchVersion());
        more("bundled libtorch " + d.bundledLibtorch() + " (" + d.bundledFlavour() + "); cache " + d.cacheDir() + "; "
                + (d.offline() ? "offline (downloads refused)" : "downloads allowed"));
        if (d.error() != null) {
            more("could not read: " + d.error());
        }
    }

    private void settings(List<Setting> settings) {
        if (settings.isEmpty()) {
            line("Settings", "none of PYTORCH_*, DJL_*, jna.library.path, LD_LIBRARY_PATH, CUDA_VISIBLE_DEVICES set");
            return;
        }
        boolean first = true;
        for (Setting s : settings) {
            String text = s.name() + "=" + s.value() + ("-D".equals(s.from()) ? "  (-D property)" : "");
            if (first) {
                line("Settings", text);
                first = false;
            } else {
                more(text);
            }
        }
    }

    private void libtorch(LibtorchChoice c) {
        if (c.override()) {
            line("libtorch", "from PYTORCH_LIBRARY_PATH: " + c.dir());
        } else {
            line(
                    "libtorch",
                    "the CPU build bundled in trainer.jar" + (c.dir() == null ? "" : ", extracted to " + c.dir()));
        }
        for (String entry : c.entries()) {
            more("PYTORCH_LIBRARY_PATH entry " + entry);
        }
        TorchInstall t = c.torch();
        if (t != null) {
            more(EnvAdvisor.describe(t) + "; C++ headers: " + (t.headers() ? "yes" : "no")
                    + (t.dedicated() ? "" : "; shares its directory with other libraries"));
        }
        more("flavour: " + (c.flavour() == null ? "derived at start (PYTORCH_FLAVOR unset)" : c.flavour()));
        more("JNI library: " + c.jni());
    }

    private void engine(EngineFacts e, List<String> log) {
        if (e == null) {
            line("Engine", "not started (--no-engine)");
            return;
        }
        if (!e.started()) {
            line("Engine", "DOES NOT START: " + e.error());
        } else {
            line("Engine", "started: libtorch " + e.libtorchVersion() + " from " + e.libtorchDir());
            more("JNI library " + e.jniPath() + (e.flavour() == null ? "" : " (flavour " + e.flavour() + ")"));
            more("features: " + (e.features().isEmpty() ? "none" : String.join(", ", e.features()))
                    + (e.features().contains("CUDA") ? "" : " (no CUDA: torch::cuda::is_available() is false)"));
            more("threads: " + e.intraOpThreads() + " intra-op, " + e.interOpThreads() + " inter-op");
        }
        if (!e.libraries().isEmpty()) {
            more("native libraries loaded:");
            int width = e.libraries().stream()
                    .mapToInt(l -> l.name().length())
                    .max()
                    .orElse(10);
            for (LoadedLibrary l : e.libraries()) {
                more(String.format(Locale.ROOT, "  %-" + width + "s  %s", l.name(), l.path()));
            }
        }
        String blas = blas(e);
        if (blas != null) {
            more("BLAS / OpenMP: " + blas);
        }
        for (String l : log) {
            more("log: " + l);
        }
    }

    private static String blas(EngineFacts e) {
        List<String> parts = new java.util.ArrayList<>();
        if (e.features().contains("MKL")) {
            parts.add("MKL (inside libtorch_cpu)");
        }
        if (e.features().contains("MKLDNN")) {
            parts.add("oneDNN");
        }
        for (LoadedLibrary l : e.libraries()) {
            String n = l.name();
            if (n.startsWith("libopenblas")
                    || n.startsWith("libblas")
                    || n.startsWith("liblapack")
                    || n.startsWith("libmkl")
                    || n.startsWith("libgomp")
                    || n.startsWith("libiomp")
                    || n.startsWith("libomp")) {
                parts.add(n);
            }
        }
        return parts.isEmpty() ? null : String.join(", ", parts);
    }

    private void gpu(GpuInfo g, EngineFacts e) {
        line(
                "GPU",
                (g.driver() != null
                                ? "NVIDIA driver: " + g.driver()
                                : "no NVIDIA driver loaded (/proc/driver/nvidia/version absent)")
                        + "; " + g.deviceNodes() + " /dev/nvidiaN node(s)");
        if (g.smi() != null) {
            g.smi().forEach(s -> more("nvidia-smi: " + s));
        } else if (g.smiError() != null) {
            more(g.smiError());
        }
        if (e == null) {
            return;
        }
        CudaRuntime rt = e.cudart();
        if (rt != null) {
            if (rt.loadError() != null) {
                more("libcudart (JNA, for DJL's GPU count): not loaded: " + rt.loadError());
            } else {
                more("libcudart (JNA, for DJL's GPU count): " + rt.loadedFrom()
                        + version(" runtime", rt.runtimeVersion())
                        + version(", driver supports", rt.driverVersion())
                        + (rt.countError() == null
                                ? ""
                                : "; cudaGetDeviceCount: error " + rt.countError() + " \"" + rt.countErrorText()
                                        + "\""));
            }
        }
        if (e.torchCuda() != null) {
            EngineFacts.TorchCuda tc = e.torchCuda();
            more("libtorch_cuda.so: "
                    + (!tc.present()
                            ? "not in this libtorch (a CPU build)"
                            : tc.loadedFrom() != null
                                    ? "loaded from " + tc.loadedFrom()
                                    : tc.loadError() != null
                                            ? "NOT LOADED: " + tc.loadError()
                                            : "present, loadable, but not loaded by DJL"));
        }
        more("CUDA devices: " + (e.engineGpuCount() == null ? "?" : e.engineGpuCount()) + " seen by libtorch (what "
                + "the trainer uses), " + (e.djlGpuCount() == null ? "?" : e.djlGpuCount())
                + " counted by DJL through libcudart");
        for (CudaDevice d : e.devices()) {
            more(
                    d.error() != null
                            ? "cuda:" + d.index() + ": " + d.error()
                            : "cuda:" + d.index() + ": compute capability " + d.computeCapability() + ", " + d.totalMb()
                                    + " MB, " + d.usedMb() + " MB in use");
        }
        for (DeviceCheck c : e.bf16()) {
            more("bf16 matmul on " + c.device() + ": "
                    + (c.ok()
                            ? String.format(Locale.ROOT, "ok (max rel. error %.1e vs fp32)", c.maxRelError())
                            : "FAILED: " + c.detail()));
        }
    }

    private static String version(String label, Integer v) {
        return v == null || v == 0 ? "" : label + " " + v / 1000 + "." + (v / 10) % 100;
    }

    private void findings(List<Finding> findings) {
        out.append(System.lineSeparator()).append("Findings").append(System.lineSeparator());
        for (Finding f : findings) {
            out.append(String.format(Locale.ROOT, "  [%s] %s%n", f.level(), f.message()));
            for (String fix : f.fix()) {
                out.append("        fix: ").append(fix).append(System.lineSeparator());
            }
        }
    }

    private void installs(List<Advice> installs) {
        out.append(System.lineSeparator())
                .append("Torch installs found on this machine")
                .append(installs.isEmpty() ? ": none" : "")
                .append(System.lineSeparator());
        for (Advice a : installs) {
            out.append("  - ").append(a.verdict()).append(System.lineSeparator());
            for (String step : a.steps()) {
                out.append("      ").append(step).append(System.lineSeparator());
            }
        }
    }
}
