package dev.alpharl.trainer.doctor;

import static dev.alpharl.trainer.doctor.DoctorFixtures.pipTorch;
import static dev.alpharl.trainer.doctor.DoctorFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trainer.jar doctor} end to end, each run in a child JVM with its own environment (PYTORCH_LIBRARY_PATH
 * and friends are read from the environment): the bundled CPU libtorch, a library path that does not exist, a
 * CPU-only libtorch of its own, a libtorch of the wrong version, and a libtorch that crashes the JVM while loading.
 * Offline throughout: nothing is downloaded.
 */
class DoctorCommandTest {

    private static DoctorReport bundled;

    @TempDir
    Path dir;

    /** One run's exit code and output. */
    record Run(int code, String out) {
        DoctorReport report() throws IOException {
            return new ObjectMapper().readValue(out.substring(out.indexOf('{')), DoctorReport.class);
        }
    }

    static Run doctor(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "doctor"));
        command.addAll(List.of(args));
        if (!command.contains("--timeout")) {
            command.addAll(List.of("--timeout", "120"));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PYTORCH_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("doctor finishes").isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void withTheBundledLibtorch() throws Exception {
        Run run = doctor(Map.of(), "--json");
        assertThat(run.code()).as(run.out()).isZero();
        bundled = run.report();
    }

    @Test
    void theBundledCpuLibtorchStartsAndEveryFactIsThere() {
        EngineFacts e = bundled.engine();
        assertThat(e.started()).as(String.valueOf(e.error())).isTrue();
        assertThat(e.libtorchVersion()).isEqualTo("2.7.1");
        assertThat(e.flavour()).isEqualTo("cpu");
        assertThat(e.jniPath()).endsWith("/0.36.0-libdjl_torch.so");
        assertThat(e.libraries())
                .extracting(EngineFacts.LoadedLibrary::name)
                .contains("libtorch.so", "libtorch_cpu.so", "libc10.so", "0.36.0-libdjl_torch.so");
        assertThat(e.libraries())
                .filteredOn(l -> l.name().equals("libtorch_cpu.so"))
                .allMatch(l -> l.path().startsWith(e.libtorchDir()));
        assertThat(e.features()).contains("MKL").doesNotContain("CUDA");
        assertThat(e.engineGpuCount()).isZero();
        assertThat(e.torchCuda().present()).isFalse();
        assertThat(e.intraOpThreads()).isPositive();
        assertThat(e.bf16()).singleElement().satisfies(c -> {
            assertThat(c.device()).isEqualTo("cpu");
            assertThat(c.ok()).as(String.valueOf(c.detail())).isTrue();
            assertThat(c.maxRelError()).isBetween(1e-5, 1e-2); // bf16 rounding shows, within its precision
        });
        assertThat(bundled.djl().version()).isEqualTo("0.36.0");
        assertThat(bundled.djl().jniVersion()).isEqualTo("2.7.1-0.36.0");
        assertThat(bundled.djl().jniFlavours()).containsExactly("cpu", "cu128");
        assertThat(bundled.libtorch().override()).isFalse();
        assertThat(bundled.libtorch().jni()).startsWith("trainer.jar's cpu JNI library");
        if (!bundled.gpu().present()) {
            assertThat(bundled.ok()).isTrue();
        }
    }

    @Test
    void aMissingLibraryDirectoryIsNamedAndTheSilentFallbackSaid() throws Exception {
        Run run = doctor(Map.of("PYTORCH_LIBRARY_PATH", "/nonexistent/torch/lib"));
        assertThat(run.code()).as(run.out()).isZero();
        assertThat(run.out())
                .contains(
                        "PYTORCH_LIBRARY_PATH entry /nonexistent/torch/lib: does not exist",
                        "[ERROR] PYTORCH_LIBRARY_PATH=/nonexistent/torch/lib holds no libtorch.so "
                                + "(/nonexistent/torch/lib: does not exist): DJL ignores it without a word and uses the "
                                + "CPU libtorch bundled in trainer.jar",
                        "fix: point PYTORCH_LIBRARY_PATH at the directory that holds libtorch.so",
                        "Engine      started: libtorch 2.7.1",
                        "doctor: 1 problem(s) found");
    }

    /** A libtorch zip holding links to the bundled CPU libtorch: a real CPU-only libtorch 2.7.1 of its own. */
    private Path cpuOnlyLibtorch() throws IOException {
        Path extracted = Path.of(bundled.engine().libtorchDir());
        Path root = dir.resolve("libtorch");
        Files.createDirectories(root.resolve("lib"));
        write(root.resolve("build-version"), "2.7.1+cpu\n");
        try (var files = Files.list(extracted)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("lib"))
                    .toList()) {
                Files.createSymbolicLink(root.resolve("lib").resolve(f.getFileName()), f);
            }
        }
        return root.resolve("lib");
    }

    @Test
    void aCpuOnlyLibtorchNeedsTheCpuFlavourAndIsSaidToBeCpuOnly() throws Exception {
        Path lib = cpuOnlyLibtorch();
        Run unset = doctor(Map.of("PYTORCH_LIBRARY_PATH", lib.toString()));
        assertThat(unset.out())
                .contains(
                        "libtorch-zip libtorch 2.7.1+cpu (CPU only) in " + lib,
                        "[ERROR] JNI library: none: trainer.jar has no cpu-precxx11 JNI library (only cpu, cu128); "
                                + "cpu-precxx11 is what DJL derives when PYTORCH_FLAVOR is unset",
                        "fix: export PYTORCH_FLAVOR=cpu (trainer.jar's CPU JNI library, for libtorch 2.7.1 only)",
                        "[ERROR] the PyTorch engine does not start: EngineException: Cannot copy jni files / caused by "
                                + "IOException: Resource not found in classpath: "
                                + "jnilib/linux-x86_64/cpu-precxx11/libdjl_torch.so");

        Run cpu = doctor(Map.of("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cpu"), "--json");
        DoctorReport report = cpu.report();
        assertThat(report.engine().started()).as(report.engine().error()).isTrue();
        assertThat(report.engine().libtorchDir()).isEqualTo(lib.toString());
        assertThat(report.engine().torchCuda().present()).isFalse();
        assertThat(report.findings())
                .anySatisfy(f -> assertThat(f.message())
                        .contains("the libtorch in use (" + lib + ") is a CPU build (no libtorch_cuda.so)"));
    }

    @Test
    void aLibtorchOfAnotherVersionIsNamedWithTheJniItNeedsAndTheLoadersError() throws Exception {
        Path lib = pipTorch(dir.resolve("site-packages"), "2.11.0+cu130", "13.0", true);
        Run run = doctor(Map.of("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cu130"));
        assertThat(run.code()).as(run.out()).isZero();
        assertThat(run.out())
                .contains(
                        "pip libtorch 2.11.0+cu130 (CUDA 13.0) in " + lib + "; C++ headers: yes",
                        "[ERROR] the libtorch in " + lib + " is 2.11.0+cu130, but the JNI library DJL will use is "
                                + "built for libtorch 2.7.1",
                        "fix: build one for it: bench/gpu/build-jni.sh --torch " + lib,
                        "[ERROR] JNI library: none: trainer.jar has no cu130 JNI library (only cpu, cu128)",
                        "[ERROR] the PyTorch engine does not start: EngineException: Failed to load PyTorch native "
                                + "library / caused by UnsatisfiedLinkError: ",
                        "file too short",
                        "fix: a file in the libtorch directory is not a shared library for this machine",
                        "- pip libtorch 2.11.0+cu130 (CUDA 13.0) in " + lib + ": needs a JNI library built for it");
    }

    @Test
    void aLibtorchThatCrashesTheJvmIsReportedNotFatal() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "needs gcc to build the crashing library");
        Path lib = dir.resolve("crash/lib");
        Path source = write(
                dir.resolve("crash.c"),
                "__attribute__((constructor)) static void crash(void) { volatile int *p = 0; *p = 1; }\n");
        Files.createDirectories(lib);
        Process gcc = new ProcessBuilder(
                        "/usr/bin/gcc",
                        "-shared",
                        "-fPIC",
                        "-o",
                        lib.resolve("libtorch.so").toString(),
                        source.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(gcc.waitFor())
                .as(new String(gcc.getInputStream().readAllBytes()))
                .isZero();

        Run run = doctor(Map.of("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cpu"));
        assertThat(run.code()).as(run.out()).isZero();
        assertThat(run.out())
                .contains(
                        "[ERROR] the PyTorch engine does not start: the engine check's JVM ended with exit code",
                        "it crashed in native code: C  [libtorch.so",
                        "crashes the JVM");
    }

    @Test
    void withoutTheEngineOnlyFilesAreReadAndABadTimeoutIsBadInput() throws Exception {
        Run files = doctor(Map.of(), "--no-engine");
        assertThat(files.code()).isZero();
        assertThat(files.out()).contains("Engine      not started (--no-engine)", "[INFO] the engine was not started");
        Run bad = doctor(Map.of(), "--timeout", "0");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.out()).contains("error: --timeout must be at least 1 second, got 0");
    }
}
