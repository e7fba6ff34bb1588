package dev.alpharl.trainer.doctor;

import static dev.alpharl.trainer.doctor.DoctorFixtures.djl;
import static dev.alpharl.trainer.doctor.DoctorFixtures.libtorchZip;
import static dev.alpharl.trainer.doctor.DoctorFixtures.pipTorch;
import static dev.alpharl.trainer.doctor.DoctorFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.alpharl.trainer.doctor.DoctorReport.Advice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading torch installs from their files, finding them where pip, conda and zips put them, and the advice. */
class DoctorInstallsTest {

    @TempDir
    Path dir;

    @Test
    void readsAPipCudaTorchWithItsCudaRuntime() {
        Path lib = pipTorch(dir.resolve("site-packages"), "2.11.0+cu130", "13.0", true);
        TorchInstall t = TorchInstall.inspect(lib, "0.36.0");
        assertThat(t.kind()).isEqualTo("pip");
        assertThat(t.version()).isEqualTo("2.11.0+cu130");
        assertThat(t.baseVersion()).isEqualTo("2.11.0");
        assertThat(t.cudaVersion()).isEqualTo("13.0");
        assertThat(t.cuda()).isTrue();
        assertThat(t.headers()).isTrue();
        assertThat(t.dedicated()).isTrue();
        assertThat(t.cudaLibDirs())
                .containsExactly(
                        dir.resolve("site-packages/nvidia/cublas/lib").toString(),
                        dir.resolve("site-packages/nvidia/cuda_runtime/lib").toString());
        assertThat(t.cudart())
                .isEqualTo(dir.resolve("site-packages/nvidia/cuda_runtime/lib/libcudart.so.13")
                        .toString());
        assertThat(t.cudartFindableByJna()).isTrue();
        assertThat(t.jni()).isNull();
    }

    @Test
    void readsAZipWithAHashedCudartAndAConda() throws Exception {
        TorchInstall zip = TorchInstall.inspect(libtorchZip(dir.resolve("libtorch"), "2.7.1+cu126", true), "0.36.0");
        assertThat(zip.kind()).isEqualTo("libtorch-zip");
        assertThat(zip.cudaVersion()).isEqualTo("12.6");
        assertThat(zip.cudart()).endsWith("libcudart-218eec4c.so.12");
        assertThat(zip.cudartFindableByJna())
                .as("JNA looks for libcudart.so[.N] only")
                .isFalse();

        Path env = dir.resolve("miniconda3/envs/rl");
        Files.createDirectories(env.resolve("conda-meta"));
        write(env.resolve("conda-meta/libtorch-2.7.1-cuda128_h123.json"), "{}");
        write(env.resolve("lib/libtorch.so"), "x");
        write(env.resolve("lib/libtorch_cuda.so"), "x");
        write(env.resolve("lib/libcudart.so.12"), "x");
        TorchInstall conda = TorchInstall.inspect(env.resolve("lib"), "0.36.0");
        assertThat(conda.kind()).isEqualTo("conda");
        assertThat(conda.version()).isEqualTo("2.7.1");
        assertThat(conda.dedicated())
                .as("an env's lib/ holds every library of the env")
                .isFalse();
        assertThat(conda.cudart()).endsWith("lib/libcudart.so.12");
    }

    @Test
    void readsDjlsCacheDirectoryNameAndAJniLibraryNextToLibtorch() {
        Path cached = dir.resolve("pytorch/2.7.1-20250812-cpu-linux-x86_64");
        write(cached.resolve("libtorch.so"), "x");
        write(cached.resolve("0.36.0-libdjl_torch.so"), "x");
        TorchInstall t = TorchInstall.inspect(cached, "0.36.0");
        assertThat(t.kind()).isEqualTo("djl-cache");
        assertThat(t.version()).isEqualTo("2.7.1");
        assertThat(t.cuda()).isFalse();
        assertThat(t.jni()).isEqualTo(cached.resolve("0.36.0-libdjl_torch.so").toString());
    }

    @Test
    void findsPipCondaAndZipInstallsUnderHomeAndInTheSearchDirs() {
        Path home = dir.resolve("home");
        Path user = pipTorch(home.resolve(".local/lib/python3.11/site-packages"), "2.7.1+cu128", "12.8", true);
        Path pyenv =
                pipTorch(home.resolve(".pyenv/versions/3.12.3/lib/python3.12/site-packages"), "2.5.1", null, false);
        Path condaEnv = home.resolve("miniforge3/envs/gpu/lib/python3.10/site-packages");
        Path conda = pipTorch(condaEnv, "2.11.0+cu130", "13.0", true);
        Path zip = libtorchZip(home.resolve("libtorch"), "2.7.1+cpu", false);
        Path elsewhere = pipTorch(dir.resolve("data/venvs/x/lib/python3.11/site-packages"), "2.6.0", null, false);
        Path cache = dir.resolve("djl-cache");
        write(cache.resolve("2.7.1-20250812-cpu-linux-x86_64/libtorch.so"), "x");

        List<TorchInstall> found = new TorchFinder(
                        Map.of("PYTORCH_LIBRARY_PATH", "/nonexistent"),
                        home,
                        false,
                        List.of(dir.resolve("data")),
                        cache)
                .find("0.36.0");

        assertThat(found)
                .extracting(TorchInstall::libDir)
                .containsExactlyInAnyOrder(
                        user.toString(),
                        conda.toString(),
                        pyenv.toString(),
                        zip.toString(),
                        cache.resolve("2.7.1-20250812-cpu-linux-x86_64").toString(),
                        elsewhere.toString());
    }

    @Test
    void aPipTorchOfTheJniVersionIsReadyWithTheExactEnvironment() {
        Path lib = pipTorch(dir.resolve("sp"), "2.7.1+cu128", "12.8", true);
        Advice a = EnvAdvisor.advise(TorchInstall.inspect(lib, "0.36.0"), djl(dir.resolve("cache")), dir.resolve("l"));
        assertThat(a.verdict()).contains("ready, trainer.jar's cu128 JNI library is built for libtorch 2.7.1");
        Path sp = dir.resolve("sp");
        assertThat(a.steps())
                .containsExactly(
                        "export PYTORCH_LIBRARY_PATH=" + lib,
                        "export PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128",
                        "export LD_LIBRARY_PATH=" + sp.resolve("nvidia/cublas/lib") + ":"
                                + sp.resolve("nvidia/cuda_runtime/lib") + "${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}",
                        "export JAVA_TOOL_OPTIONS=\"-Djna.library.path=" + sp.resolve("nvidia/cuda_runtime/lib")
                                + "${JAVA_TOOL_OPTIONS:+ $JAVA_TOOL_OPTIONS}\"",
                        "java -jar trainer/target/trainer.jar doctor");
    }

    @Test
    void aNewerTorchNeedsAJniBuildAndItsOwnFlavour() {
        Path lib = pipTorch(dir.resolve("sp"), "2.11.0+cu130", "13.0", true);
        Advice a = EnvAdvisor.advise(TorchInstall.inspect(lib, "0.36.0"), djl(dir.resolve("cache")), dir.resolve("l"));
        assertThat(a.verdict()).contains("needs a JNI library built for it (trainer.jar's is for libtorch 2.7.1)");
        assertThat(a.steps().get(0)).isEqualTo("bench/gpu/build-jni.sh --torch " + lib);
        assertThat(a.steps()).contains("export PYTORCH_VERSION=2.11.0 PYTORCH_FLAVOR=cu130");

        // once built (next to libtorch), the same install is ready
        write(lib.resolve("0.36.0-libdjl_torch.so"), "x");
        Advice built =
                EnvAdvisor.advise(TorchInstall.inspect(lib, "0.36.0"), djl(dir.resolve("cache")), dir.resolve("l"));
        assertThat(built.verdict()).contains("ready, a JNI library built for it is installed");
        assertThat(built.steps()).doesNotContain("bench/gpu/build-jni.sh --torch " + lib);
    }

    @Test
    void withoutHeadersAnotherVersionIsNotUsableAndAnOldOneIsTooOld() {
        Path noHeaders = pipTorch(dir.resolve("a"), "2.11.0+cu130", "13.0", false);
        assertThat(EnvAdvisor.advise(TorchInstall.inspect(noHeaders, "0.36.0"), djl(dir.resolve("c")), dir.resolve("l"))
                        .verdict())
                .contains("no C++ headers to build one against", "not usable as it is");
        Path old = pipTorch(dir.resolve("b"), "2.4.1", null, true);
        assertThat(EnvAdvisor.advise(TorchInstall.inspect(old, "0.36.0"), djl(dir.resolve("c")), dir.resolve("l"))
                        .verdict())
                .contains("too old for the trainer", "2.5.0 or newer");
    }

    @Test
    void aZipsHashedCudartGetsALinkJnaCanFind() {
        Path lib = libtorchZip(dir.resolve("libtorch"), "2.7.1+cu128", true);
        Path links = dir.resolve("links");
        Advice a = EnvAdvisor.advise(TorchInstall.inspect(lib, "0.36.0"), djl(dir.resolve("c")), links);
        assertThat(a.steps())
                .contains(
                        "mkdir -p " + links.resolve("cudart") + " && ln -sf " + lib.resolve("libcudart-218eec4c.so.12")
                                + " " + links.resolve("cudart") + "/libcudart.so",
                        "export JAVA_TOOL_OPTIONS=\"-Djna.library.path=" + links.resolve("cudart")
                                + "${JAVA_TOOL_OPTIONS:+ $JAVA_TOOL_OPTIONS}\"");
    }

    @Test
    void aCondaLibDirectoryGetsADirectoryOfLinks() throws Exception {
        Path env = dir.resolve("conda/envs/x");
        Files.createDirectories(env.resolve("conda-meta"));
        write(env.resolve("conda-meta/pytorch-2.7.1-py311_cuda12.8.json"), "{}");
        write(env.resolve("lib/libtorch.so"), "x");
        Path links = dir.resolve("links");
        Advice a = EnvAdvisor.advise(TorchInstall.inspect(env.resolve("lib"), "0.36.0"), djl(dir.resolve("c")), links);
        assertThat(a.steps())
                .startsWith(
                        "mkdir -p " + links.resolve("links-2.7.1-cpu"),
                        "ln -sf " + env.resolve("lib") + "/lib{torch,torch_cpu,c10}.so "
                                + links.resolve("links-2.7.1-cpu") + "/",
                        "export PYTORCH_LIBRARY_PATH=" + links.resolve("links-2.7.1-cpu"));
    }
}
