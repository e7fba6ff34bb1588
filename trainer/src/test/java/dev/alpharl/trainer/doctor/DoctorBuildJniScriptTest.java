package dev.alpharl.trainer.doctor;

import static dev.alpharl.trainer.doctor.DoctorFixtures.pipTorch;
import static dev.alpharl.trainer.doctor.DoctorFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/gpu/build-jni.sh up to the compile (which needs a real torch and minutes): it finds the torch and DJL's
 * source, and stops with a clear message (exit code 2) when the torch headers, the torch, DJL's source or its
 * version are missing or wrong. Nothing is downloaded: every run is given its DJL source.
 */
class DoctorBuildJniScriptTest {

    private static final Path SCRIPT = Path.of(System.getProperty("user.dir"))
            .resolve("../bench/gpu/build-jni.sh")
            .normalize();

    @TempDir
    Path dir;

    record Run(int code, String out) {}

    private Run script(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PYTORCH_") || k.equals("DJL_SRC"));
        pb.environment().put("HOME", dir.resolve("home").toString());
        pb.environment().put("TMPDIR", dir.toString());
        pb.environment().put("DJL_CACHE_DIR", dir.resolve("djl-cache").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** The files of DJL's source tree the script checks, with {@code version} in gradle/libs.versions.toml. */
    private Path djlSource(String version) {
        Path src = dir.resolve("djl-" + version);
        write(src.resolve("engines/pytorch/pytorch-native/CMakeLists.txt"), "project(djl_torch)\n");
        write(src.resolve("engines/pytorch/pytorch-native/src/main/native/a.cc"), "\n");
        write(
                src.resolve("engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"),
                "package ai.djl.pytorch.jni;\nfinal class PyTorchLibrary {\n    native int torchGetNumThreads();\n}\n");
        write(src.resolve("api/src/main/native/djl/utils.h"), "\n");
        write(src.resolve("gradle/libs.versions.toml"), "[versions]\ndjl = \"" + version + "\"\npytorch = \"2.7.1\"\n");
        return src;
    }

    @Test
    void aLibtorchWithoutHeadersStopsWithAClearMessage() throws Exception {
        Path extracted = dir.resolve("djl-cache/pytorch/2.7.1-20250812-cpu-linux-x86_64");
        write(extracted.resolve("libtorch.so"), "x");
        Run run = script(
                "--torch",
                extracted.toString(),
                "--djl-src",
                djlSource("0.36.0").toString());
        assertThat(run.code()).as(run.out()).isEqualTo(2);
        assertThat(run.out())
                .contains(
                        "build-jni: error: no torch headers found for the libtorch in " + extracted,
                        "this is a libtorch DJL extracted or downloaded: libraries only, no headers",
                        "The JNI library is compiled against the headers of the exact torch it will run with.");

        Path pip = pipTorch(dir.resolve("sp"), "2.11.0+cu130", "13.0", false);
        Run pipRun = script(
                "--torch",
                dir.resolve("sp").toString(),
                "--djl-src",
                djlSource("0.36.0").toString());
        assertThat(pipRun.code()).isEqualTo(2);
        assertThat(pipRun.out())
                .contains(
                        "no torch headers found for the libtorch in " + pip,
                        "this pip torch has no include/ directory");
    }

    @Test
    void noTorchThereIsBadInput() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        Run run = script("--torch", dir.resolve("empty").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.out()).contains("build-jni: error: no libtorch.so in " + dir.resolve("empty"));
        Run missing = script("--torch", "/nonexistent/torch");
        assertThat(missing.out()).contains("--torch /nonexistent/torch: no such file or directory");
        Run option = script("--frobnicate");
        assertThat(option.code()).isEqualTo(2);
        assertThat(option.out()).contains("unknown option '--frobnicate'");
    }

    @Test
    void djlsSourceMustBeThereAndOfThePomsVersion() throws Exception {
        pipTorch(dir.resolve("sp"), "2.11.0+cu130", "13.0", true);
        String torch = dir.resolve("sp/torch").toString();
        Run missing =
                script("--torch", torch, "--djl-src", dir.resolve("nowhere").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.out()).contains("--djl-src " + dir.resolve("nowhere") + ": no such file or directory");

        Files.createDirectories(dir.resolve("not-djl"));
        Run notDjl =
                script("--torch", torch, "--djl-src", dir.resolve("not-djl").toString());
        assertThat(notDjl.code()).isEqualTo(2);
        assertThat(notDjl.out())
                .contains("is not DJL's source tree: engines/pytorch/pytorch-native/CMakeLists.txt is missing");

        Run old = script("--torch", torch, "--djl-src", djlSource("0.35.0").toString(), "--check");
        assertThat(old.code()).isEqualTo(2);
        assertThat(old.out())
                .contains(
                        "is version 0.35.0 (gradle/libs.versions.toml), pom.xml uses DJL 0.36.0",
                        "(--force builds it anyway)");
    }

    @Test
    void checkPrintsThePlanForAPipCudaTorchFromADjlArchive() throws Exception {
        for (String tool : List.of("cmake", "make", "javac")) {
            assumeTrue(onPath(tool), tool + " is needed for --check");
        }
        Path lib = pipTorch(dir.resolve("sp"), "2.11.0+cu130", "13.0", true);
        write(
                dir.resolve("sp/torch/include/torch/csrc/api/include/torch/version.h"),
                "#define TORCH_VERSION_MAJOR 2\n#define TORCH_VERSION_MINOR 11\n#define TORCH_VERSION_PATCH 0\n");
        write(dir.resolve("sp/nvidia/cuda_runtime/include/cuda_runtime_api.h"), "\n");
        Path src = djlSource("0.36.0");
        Path archive = dir.resolve("v0.36.0.tar.gz");
        Process tar = new ProcessBuilder(
                        "tar",
                        "-czf",
                        archive.toString(),
                        "-C",
                        dir.toString(),
                        src.getFileName().toString())
                .start();
        assertThat(tar.waitFor()).isZero();

        Run runtimeOnly = script("--torch", lib.toString(), "--djl-src", archive.toString(), "--check");
        assertThat(runtimeOnly.code()).as(runtimeOnly.out()).isZero();
        assertThat(runtimeOnly.out())
                .contains("build-jni: USE_CUDA     false (CUDA headers not found: cublas_v2.h cusparse.h cusolverDn.h; "
                        + "DJL's separate inference stream and emptyCache are left out, training on the GPU is "
                        + "unaffected)");

        write(dir.resolve("sp/nvidia/cublas/include/cublas_v2.h"), "\n");
        write(dir.resolve("sp/nvidia/cusparse/include/cusparse.h"), "\n");
        write(dir.resolve("sp/nvidia/cusolver/include/cusolverDn.h"), "\n");
        Run run = script("--torch", lib.toString(), "--djl-src", archive.toString(), "--check");
        assertThat(run.code()).as(run.out()).isZero();
        assertThat(run.out())
                .contains(
                        "build-jni: torch        2.11.0+cu130 (pip) in " + lib + ": newer than 2.7.1: not tried here",
                        "build-jni: CUDA         yes, CUDA 13.0 (flavour cu130)",
                        "build-jni: headers      " + dir.resolve("sp/torch/include"),
                        "minimal config written here",
                        "build-jni: USE_CUDA     true",
                        "build-jni: DJL source   ",
                        "djl-src-unpacked/djl-0.36.0 (DJL 0.36.0)",
                        "build-jni: installs     " + lib + "/0.36.0-libdjl_torch.so",
                        "build-jni: --check: all prerequisites found; nothing compiled");
        assertThat(lib.resolve("0.36.0-libdjl_torch.so")).doesNotExist();
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null
                && Stream.of(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }
}
