package dev.alpharl.trainer.doctor;

import static dev.alpharl.trainer.doctor.DoctorFixtures.djl;
import static dev.alpharl.trainer.doctor.DoctorFixtures.pipTorch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.doctor.DoctorReport.DjlInfo;
import dev.alpharl.trainer.doctor.DoctorReport.Finding;
import dev.alpharl.trainer.doctor.DoctorReport.GpuInfo;
import dev.alpharl.trainer.doctor.DoctorReport.Level;
import dev.alpharl.trainer.doctor.DoctorReport.LibtorchChoice;
import dev.alpharl.trainer.doctor.EngineFacts.CudaDevice;
import dev.alpharl.trainer.doctor.EngineFacts.CudaRuntime;
import dev.alpharl.trainer.doctor.EngineFacts.DeviceCheck;
import dev.alpharl.trainer.doctor.EngineFacts.LoadedLibrary;
import dev.alpharl.trainer.doctor.EngineFacts.TorchCuda;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The findings for the GPU situations this machine cannot produce (a driver, libtorch_cuda, libcudart answering),
 * from synthetic engine facts over fake torch installs on disk.
 */
class DoctorDiagnosisTest {

    private static final GpuInfo H200 = new GpuInfo(
            "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06",
            1,
            List.of("0, NVIDIA H200, 143771 MiB, 0 MiB, 580.65.06, 9.0"),
            null);
    private static final GpuInfo NO_GPU = new GpuInfo(null, 0, null, "nvidia-smi not found");
    private static final CudaRuntime CUDART_OK = new CudaRuntime("/x/libcudart.so.12", null, null, null, 12080, 12080);

    @TempDir
    Path dir;

    private DjlInfo djl() {
        return djl(dir.resolve("cache"));
    }

    private static DjlInfo djl(Path cache) {
        return DoctorFixtures.djl(cache);
    }

    private static EngineFacts started(
            String libtorchDir,
            List<String> features,
            CudaRuntime cudart,
            int djlGpus,
            int engineGpus,
            TorchCuda torchCuda,
            List<DeviceCheck> bf16) {
        return new EngineFacts(
                true,
                null,
                "2.7.1",
                libtorchDir,
                libtorchDir + "/0.36.0-libdjl_torch.so",
                "cu128",
                List.of(new LoadedLibrary("libtorch.so", libtorchDir + "/libtorch.so")),
                features,
                cudart,
                djlGpus,
                engineGpus,
                List.of(),
                torchCuda,
                8,
                8,
                bf16);
    }

    private List<Finding> diagnose(Map<String, String> env, EngineFacts engine, GpuInfo gpu) {
        DjlLookup.Settings settings = new DjlLookup.Settings(env, Map.of());
        LibtorchChoice choice = DjlLookup.predict(settings, djl(), engine);
        return Diagnosis.of(settings, djl(), choice, engine, gpu, List.of());
    }

    private static Finding find(List<Finding> findings, Level level, String text) {
        return findings.stream()
                .filter(f -> f.level() == level && f.message().contains(text))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + level + " finding with \"" + text + "\" in " + findings));
    }

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void theH200CaseNewerTorchWithTheCu128JniNamesTheVersionsAndTheBuild() {
        Path lib = pipTorch(dir.resolve("sp"), "2.11.0+cu130", "13.0", true);
        EngineFacts engine = started(
                lib.toString(),
                List.of("MKL", "MKLDNN"),
                new CudaRuntime(null, "Unable to load library 'cudart'", null, null, null, null),
                0,
                0,
                new TorchCuda(true, lib + "/libtorch_cuda.so", null),
                List.of());
        List<Finding> f = diagnose(
                env("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_VERSION", "2.7.1", "PYTORCH_FLAVOR", "cu128"),
                engine,
                H200);

        Finding version = find(
                f, Level.ERROR, "is 2.11.0+cu130, but the JNI library DJL will use is built for " + "libtorch 2.7.1");
        assertThat(version.fix()).containsExactly("build one for it: bench/gpu/build-jni.sh --torch " + lib);
        Finding noCuda = find(f, Level.ERROR, "libtorch_cuda.so is loaded, but libtorch reports no CUDA");
        assertThat(noCuda.message()).contains("the H200 case");
        assertThat(noCuda.fix())
                .containsExactly("build a JNI library for this libtorch: bench/gpu/build-jni.sh --torch " + lib);
    }

    @Test
    void cudaInLibtorchButNoCudartForJnaPointsAtJnaLibraryPath() {
        Path lib = pipTorch(dir.resolve("sp"), "2.7.1+cu128", "12.8", true);
        EngineFacts engine = started(
                lib.toString(),
                List.of("CUDA", "CUDNN", "MKL"),
                new CudaRuntime(
                        null,
                        "Unable to load library 'cudart': libcudart.so: cannot open shared object file",
                        null,
                        null,
                        null,
                        null),
                0,
                0,
                new TorchCuda(true, lib + "/libtorch_cuda.so", null),
                List.of());
        List<Finding> f =
                diagnose(env("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cu128"), engine, H200);
        Finding count = find(f, Level.ERROR, "DJL counts 0 GPUs, so the trainer sees none");
        assertThat(count.message()).contains("did not load: Unable to load library 'cudart'");
        assertThat(count.fix().get(0))
                .startsWith("export JAVA_TOOL_OPTIONS=\"-Djna.library.path=" + dir.resolve("sp/nvidia/cuda_runtime/lib")
                        + "\"");
    }

    @Test
    void aTorchCudaThatDoesNotLoadGivesTheLoadersErrorAndTheMissingLibrary() {
        Path lib = pipTorch(dir.resolve("sp"), "2.7.1+cu128", "12.8", true);
        String loader = lib + "/libtorch_cuda.so: libcublas.so.12: cannot open shared object file: No such file or "
                + "directory";
        EngineFacts engine =
                started(lib.toString(), List.of("MKL"), CUDART_OK, 1, 0, new TorchCuda(true, null, loader), List.of());
        List<Finding> f =
                diagnose(env("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cu128"), engine, H200);
        Finding notLoaded = find(f, Level.ERROR, "libtorch_cuda.so is in " + lib + " but does not load: " + loader);
        assertThat(notLoaded.fix().get(0)).startsWith("libcublas.so.12 is not on the loader's path");
    }

    @Test
    void aFlavourWithoutCuLeavesTorchCudaUnloaded() {
        Path lib = pipTorch(dir.resolve("sp"), "2.7.1+cu128", "12.8", true);
        EngineFacts engine =
                started(lib.toString(), List.of("MKL"), CUDART_OK, 1, 0, new TorchCuda(true, null, null), List.of());
        List<Finding> f = diagnose(env("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cpu"), engine, H200);
        assertThat(find(
                                f,
                                Level.ERROR,
                                "but the flavour is cpu: DJL loads libtorch_cuda.so only for a flavour "
                                        + "containing \"cu\"")
                        .fix())
                .containsExactly("export PYTORCH_FLAVOR=cu128");
        find(f, Level.ERROR, "and loads, but DJL did not load it");
    }

    @Test
    void aGpuWithTheBundledCpuLibtorchIsAnError() {
        EngineFacts engine = started(
                dir.resolve("cache/2.7.1-20250812-cpu-linux-x86_64").toString(),
                List.of("MKL"),
                CUDART_OK,
                1,
                0,
                new TorchCuda(false, null, null),
                List.of());
        List<Finding> f = diagnose(env(), engine, H200);
        find(f, Level.ERROR, "this machine has an NVIDIA GPU, but the libtorch in use");
        find(f, Level.INFO, "no CUDA libtorch found on this machine");
        // and without a GPU the same libtorch is just information
        EngineFacts noGpu = started(
                engine.libtorchDir(),
                List.of("MKL"),
                new CudaRuntime("/x/libcudart.so.13", null, 35, "CUDA driver version is insufficient", 13000, 0),
                0,
                0,
                new TorchCuda(false, null, null),
                List.of());
        List<Finding> cpu = diagnose(env(), noGpu, NO_GPU);
        assertThat(cpu).noneMatch(x -> x.level() == Level.ERROR);
        find(cpu, Level.INFO, "is a CPU build (no libtorch_cuda.so): the trainer runs on the CPU");
    }

    @Test
    void anOldDriverIsNamedWithBothCudaVersions() {
        Path lib = pipTorch(dir.resolve("sp"), "2.7.1+cu128", "12.8", true);
        CudaRuntime rt = new CudaRuntime(
                "/x/libcudart.so.12",
                null,
                35,
                "CUDA driver version is insufficient for CUDA runtime version",
                12080,
                12040);
        EngineFacts engine = started(
                lib.toString(),
                List.of("MKL"),
                rt,
                0,
                0,
                new TorchCuda(true, lib + "/libtorch_cuda.so", null),
                List.of());
        List<Finding> f =
                diagnose(env("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cu128"), engine, H200);
        assertThat(find(f, Level.ERROR, "libtorch reports no CUDA").message())
                .contains(
                        "CUDA driver version is insufficient for CUDA runtime version (error 35)",
                        "the driver supports CUDA up to 12.4, this libcudart is 12.8");
    }

    @Test
    void gpusSeenAndBf16OkMeanNoError() {
        Path lib = pipTorch(dir.resolve("sp"), "2.7.1+cu128", "12.8", true);
        EngineFacts engine = new EngineFacts(
                true,
                null,
                "2.7.1",
                lib.toString(),
                dir + "/cache/2.7.1-cu128-linux-x86_64/0.36.0-libdjl_torch.so",
                "cu128",
                List.of(),
                List.of("CUDA", "CUDNN", "MKL"),
                CUDART_OK,
                2,
                2,
                List.of(new CudaDevice(0, "90", 143771L, 512L, null), new CudaDevice(1, "90", 143771L, 512L, null)),
                new TorchCuda(true, lib + "/libtorch_cuda.so", null),
                8,
                8,
                List.of(
                        new DeviceCheck("cpu", true, 3e-3, null),
                        new DeviceCheck("cuda:0", true, 2e-3, null),
                        new DeviceCheck("cuda:1", true, 2e-3, null)));
        List<Finding> f =
                diagnose(env("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cu128"), engine, H200);
        assertThat(f).noneMatch(x -> x.level() == Level.ERROR);
        find(f, Level.OK, "libtorch sees 2 CUDA device(s)");
        find(f, Level.OK, "agrees with fp32 on cpu (max rel. error 3.0e-03), cuda:0");
    }

    @Test
    void anUnsetFlavourWithALibraryPathIsNamedBeforeStarting() {
        Path lib = pipTorch(dir.resolve("sp"), "2.7.1+cu128", "12.8", true);
        List<Finding> f = diagnose(env("PYTORCH_LIBRARY_PATH", lib.toString()), null, H200);
        Finding jni = find(f, Level.ERROR, "JNI library: depends on the flavour DJL derives at start");
        assertThat(jni.fix())
                .containsExactly("export PYTORCH_FLAVOR=cu128 (trainer.jar has JNI libraries for cpu, cu128)");
        find(f, Level.INFO, "the engine was not started (--no-engine)");

        // with the engine's libcudart answer the flavour is known: cu128-precxx11, not in trainer.jar
        EngineFacts engine = EngineFacts.notExamined("x");
        EngineFacts counted = new EngineFacts(
                false,
                "EngineException: Cannot copy jni files",
                null,
                null,
                null,
                null,
                List.of(),
                List.of(),
                CUDART_OK,
                1,
                null,
                List.of(),
                null,
                null,
                null,
                List.of());
        assertThat(engine.started()).isFalse();
        LibtorchChoice choice = DjlLookup.predict(
                new DjlLookup.Settings(env("PYTORCH_LIBRARY_PATH", lib.toString()), Map.of()), djl(), counted);
        assertThat(choice.flavour()).isEqualTo("cu128-precxx11");
        assertThat(choice.jni())
                .isEqualTo("none: trainer.jar has no cu128-precxx11 JNI library (only cpu, cu128); cu128-precxx11 is "
                        + "what DJL derives when PYTORCH_FLAVOR is unset");
    }

    @Test
    void plainOperationsFailingAfterAStartPointAtTheJniMismatch() {
        // seen here: trainer.jar's 2.7.1 JNI library on a libtorch 2.10 loads, starts, then fails on arange/matmul
        Path lib = dir.resolve("lib210");
        DoctorFixtures.write(lib.resolve("libtorch.so"), "x");
        EngineFacts engine = started(
                lib.toString(),
                List.of("MKLDNN", "OPENMP"),
                CUDART_OK,
                0,
                0,
                new TorchCuda(false, null, null),
                List.of(new DeviceCheck(
                        "cpu",
                        false,
                        null,
                        EngineProbe.DJL_STAGE
                                + "EngineException: Cannot access data pointer of Tensor that doesn't have storage")));
        List<Finding> f =
                diagnose(env("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cpu"), engine, NO_GPU);
        find(f, Level.WARN, "cannot tell the version of the libtorch in " + lib);
        Finding ops = find(
                f,
                Level.ERROR,
                "the engine starts but plain tensor operations fail on cpu: "
                        + "EngineException: Cannot access data pointer");
        assertThat(ops.message()).contains("how a JNI library behaves on a libtorch it was not built for");
        assertThat(ops.fix())
                .containsExactly("use libtorch 2.7.1 with trainer.jar's JNI library, or build one for this "
                        + "libtorch: bench/gpu/build-jni.sh --torch " + lib);
    }

    @Test
    void aCrashedEngineCheckIsReportedWithTheBuildAsTheFix() {
        EngineFacts crashed = EngineFacts.notExamined("the engine check's JVM ended with exit code 134 (signal 6, "
                + "SIGABRT) before reporting; it crashed in native code: C  [libdjl_torch.so+0x1234]");
        List<Finding> f = diagnose(env(), crashed, NO_GPU);
        Finding start = find(f, Level.ERROR, "the PyTorch engine does not start: the engine check's JVM ended");
        assertThat(start.fix().get(0)).contains("crashes the JVM", "bench/gpu/build-jni.sh");
    }

    @Test
    void theReportRendersAndSurvivesJson() throws Exception {
        Path lib = pipTorch(dir.resolve("sp"), "2.7.1+cu128", "12.8", true);
        EngineFacts engine = started(
                lib.toString(),
                List.of("CUDA"),
                CUDART_OK,
                1,
                1,
                new TorchCuda(true, lib + "/libtorch_cuda.so", null),
                List.of(new DeviceCheck("cuda:0", false, null, "RuntimeException: CUBLAS_STATUS_NOT_SUPPORTED")));
        Map<String, String> env = env("PYTORCH_LIBRARY_PATH", lib.toString(), "PYTORCH_FLAVOR", "cu128");
        DjlLookup.Settings settings = new DjlLookup.Settings(env, Map.of());
        LibtorchChoice choice = DjlLookup.predict(settings, djl(), engine);
        List<Finding> findings = Diagnosis.of(settings, djl(), choice, engine, H200, List.of());
        DoctorReport report = new DoctorReport(
                false,
                Doctor.javaInfo(),
                djl(),
                Doctor.settings(settings),
                choice,
                engine,
                List.of("a log line"),
                H200,
                List.of(EnvAdvisor.advise(choice.torch(), djl(), dir)),
                findings);

        String text = DoctorText.render(report);
        assertThat(text)
                .contains(
                        "Settings    PYTORCH_LIBRARY_PATH=" + lib,
                        "libtorch    from PYTORCH_LIBRARY_PATH: " + lib,
                        "pip libtorch 2.7.1+cu128 (CUDA 12.8) in " + lib + "; C++ headers: yes",
                        "JNI library: trainer.jar's cu128 JNI library (pytorch-jni 2.7.1-0.36.0, built for libtorch "
                                + "2.7.1)",
                        "nvidia-smi: 0, NVIDIA H200",
                        "bf16 matmul on cuda:0: FAILED: RuntimeException: CUBLAS_STATUS_NOT_SUPPORTED",
                        "[WARN] bf16 matmul on cuda:0 failed",
                        "Torch installs found on this machine",
                        "export PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128");

        ObjectMapper json = new ObjectMapper();
        DoctorReport back = json.readValue(json.writeValueAsString(report), DoctorReport.class);
        assertThat(back).isEqualTo(report);
    }
}
