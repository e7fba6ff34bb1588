package dev.alpharl.trainer.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine never downloads: with libtorch on the class path it starts from a fresh cache writing only the
 * extracted native libraries; without it, offline mode turns the would-be download into a prompt error (the
 * negative control of DJL.md §2).
 */
class OfflineEngineTest {

    /** Prints the engine version and one computed value; run in a child JVM. */
    public static final class Probe {
        public static void main(String[] args) {
            var engine = TorchRuntime.init();
            try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
                System.out.println("ENGINE " + engine.getVersion() + " sum="
                        + m.arange(5f).sum().getFloat());
            }
        }
    }

    private static Process probe(String classPath, Path cacheDir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", classPath, Probe.class.getName()).redirectErrorStream(true);
        pb.environment().put("DJL_CACHE_DIR", cacheDir.toString());
        pb.environment().remove("DJL_OFFLINE"); // the runtime's own default must make it offline
        return pb.start();
    }

    private static String run(Process p) throws Exception {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finishes promptly").isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void startsOfflineFromAFreshCacheAndExtractsOnlyNativeLibraries(@TempDir Path cache) throws Exception {
        Process p = probe(System.getProperty("java.class.path"), cache);
        String out = run(p);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("ENGINE 2.7.1 sum=10.0");
        try (Stream<Path> top = Files.list(cache)) {
            // "tokenizers" appears only once a tokenizer is loaded
            assertThat(top.map(c -> c.getFileName().toString()).collect(Collectors.toSet()))
                    .contains("pytorch")
                    .isSubsetOf("pytorch", "tokenizers");
        }
        try (Stream<Path> torch = Files.list(cache.resolve("pytorch"))) {
            assertThat(torch.map(c -> c.getFileName().toString()).toList())
                    .containsExactly("2.7.1-20250812-cpu-linux-x86_64");
        }
    }

    @Test
    void withoutTheNativeJarOfflineModeFailsInsteadOfDownloading(@TempDir Path cache) throws Exception {
        List<String> entries = Arrays.stream(
                        System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("pytorch-native-cpu"))
                .toList();
        Process p = probe(String.join(File.pathSeparator, entries), cache);
        String out = run(p);
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).contains("Offline mode is enabled");
    }
}
