package dev.alpharl.trainer.doctor;

import dev.alpharl.trainer.doctor.DoctorReport.Advice;
import dev.alpharl.trainer.doctor.DoctorReport.DjlInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * For one libtorch install: whether trainer.jar can use it as it is, needs a JNI library built for it
 * (bench/gpu/build-jni.sh), or cannot use it, and the exact commands and environment variables to run with it.
 */
public final class EnvAdvisor {

    /** The script that builds a JNI library for a local torch. */
    public static final String BUILD_SCRIPT = "bench/gpu/build-jni.sh";

    /** The oldest libtorch the trainer's ops library compiles on (its sdpa call passes enable_gqa, new in 2.5). */
    public static final String OPS_MINIMUM = "2.5.0";

    private EnvAdvisor() {}

    /** Whether version a (x.y.z) is older than b. */
    static boolean olderThan(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 3; i++) {
            int p = i < x.length ? parse(x[i]) : 0;
            int q = i < y.length ? parse(y[i]) : 0;
            if (p != q) {
                return p < q;
            }
        }
        return false;
    }

    private static int parse(String s) {
        String digits = s.replaceFirst("\\D.*", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }

    /** The advice for {@code torch}; {@code linksRoot} is where a directory of links goes (DJL's cache dir). */
    public static Advice advise(TorchInstall torch, DjlInfo djl, Path linksRoot) {
        String what = describe(torch);
        if ("djl-cache".equals(torch.kind())) {
            return new Advice(
                    torch,
                    what + ": DJL's own copy (libraries only, no headers); used when PYTORCH_LIBRARY_PATH is unset",
                    List.of());
        }
        String base = torch.baseVersion();
        String jniTorch = djl.jniTorchVersion();
        boolean jarJniFits = base != null && base.equals(jniTorch);
        String localFlavour = torch.cuda() ? cudaFlavour(torch) : "cpu";
        String jni = torch.jni();
        if (jni == null && base != null && djl.cacheDir() != null) {
            // where build-jni.sh installs when the torch's directory is not writable
            Path cached = Path.of(djl.cacheDir())
                    .resolve(base + "-" + localFlavour + "-" + djl.classifier())
                    .resolve(djl.version() + "-libdjl_torch.so");
            jni = java.nio.file.Files.exists(cached) ? cached.toString() : null;
        }
        boolean localJni = jni != null;
        String jarFlavour = torch.cuda() ? "cu128" : "cpu";
        boolean needsBuild = !localJni && !(jarJniFits && djl.jniFlavours().contains(jarFlavour));
        // a JNI library built here is named by the torch's own CUDA version; trainer.jar's by its own
        String flavour = localJni || needsBuild ? localFlavour : jarFlavour;
        String gpu = torch.cuda() ? "" : " It is a CPU build: the trainer runs on the CPU with it.";

        List<String> steps = new ArrayList<>();
        if (base != null && olderThan(base, OPS_MINIMUM)) {
            return new Advice(
                    torch,
                    what + ": too old for the trainer, whose TorchScript ops library needs libtorch " + OPS_MINIMUM
                            + " or newer (scaled_dot_product_attention with enable_gqa)",
                    steps);
        }
        String verdict;
        String libraryPath = torch.libDir();
        if (needsBuild && !torch.headers()) {
            verdict = what + ": trainer.jar's JNI library is built for libtorch " + jniTorch
                    + ", and this install has no C++ headers to build one against (" + BUILD_SCRIPT
                    + " needs them): not usable as it is." + gpu;
            return new Advice(torch, verdict, steps);
        }
        if (needsBuild) {
            verdict = what + ": needs a JNI library built for it (trainer.jar's is for libtorch " + jniTorch + "): run "
                    + BUILD_SCRIPT + " (a few minutes), then export what it prints." + gpu;
            steps.add(BUILD_SCRIPT + " --torch " + torch.libDir());
            if (!torch.dedicated()) {
                libraryPath = "<the directory of links the script prints>";
            }
        } else if (localJni) {
            verdict = what + ": ready, a JNI library built for it is installed (" + jni + ")." + gpu;
        } else {
            verdict = what + ": ready, trainer.jar's " + flavour + " JNI library is built for libtorch " + jniTorch
                    + "." + gpu;
        }
        if (!needsBuild && !torch.dedicated()) {
            // DJL loads every library under PYTORCH_LIBRARY_PATH: give it a directory with torch's libraries only
            Path links = linksRoot.resolve("links-" + torch.version() + "-" + flavour);
            steps.add("mkdir -p " + links);
            steps.add("ln -sf " + torch.libDir() + "/lib{torch,torch_cpu,c10"
                    + (torch.cuda() ? ",torch_cuda,c10_cuda" : "") + "}.so " + links + "/");
            libraryPath = links.toString();
        }
        steps.add("export PYTORCH_LIBRARY_PATH=" + libraryPath);
        steps.add("export PYTORCH_VERSION=" + (base == null ? "<its version, e.g. 2.7.1>" : base) + " PYTORCH_FLAVOR="
                + flavour);
        List<String> ld = new ArrayList<>(torch.cudaLibDirs());
        if (!torch.dedicated()) {
            ld.add(0, torch.libDir());
        }
        if (!ld.isEmpty()) {
            steps.add("export LD_LIBRARY_PATH=" + String.join(":", ld) + "${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}");
        }
        if (torch.cuda() && torch.cudart() != null) {
            String jnaDir = Path.of(torch.cudart()).getParent().toString();
            if (!torch.cudartFindableByJna()) {
                // a libtorch zip's libcudart-HASH.so.N: JNA looks for libcudart.so or libcudart.so.N only
                Path dir = linksRoot.resolve("cudart");
                steps.add("mkdir -p " + dir + " && ln -sf " + torch.cudart() + " " + dir + "/libcudart.so");
                jnaDir = dir.toString();
            }
            steps.add("export JAVA_TOOL_OPTIONS=\"-Djna.library.path=" + jnaDir
                    + "${JAVA_TOOL_OPTIONS:+ $JAVA_TOOL_OPTIONS}\"");
        }
        steps.add("java -jar trainer/target/trainer.jar doctor");
        return new Advice(torch, verdict, steps);
    }

    /** "pip torch 2.11.0+cu130 (CUDA 13.0) in DIR". */
    static String describe(TorchInstall t) {
        return ("other".equals(t.kind()) ? "" : t.kind() + " ") + "libtorch "
                + (t.version() == null ? "(version unknown)" : t.version())
                + (t.cuda() ? " (CUDA" + (t.cudaVersion() == null ? "" : " " + t.cudaVersion()) + ")" : " (CPU only)")
                + " in " + t.libDir();
    }

    /** The flavour name for a locally built JNI library: "cu" + the CUDA digits (any name with "cu" works). */
    static String cudaFlavour(TorchInstall t) {
        if (t.cudaVersion() == null) {
            return "cu128";
        }
        String[] parts = t.cudaVersion().split("\\.");
        return "cu" + parts[0] + (parts.length > 1 ? parts[1] : "0");
    }
}
