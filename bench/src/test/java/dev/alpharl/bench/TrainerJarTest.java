package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * trainer.jar holds only the product: no class of the bench module, none of the trainer's former bench package and
 * not the Python reference. The check of the real jar runs in the bench module's {@code package} phase (a surefire
 * execution in bench/pom.xml that sets {@code alpharl.trainer-jar}), after the reactor has built trainer.jar.
 */
class TrainerJarTest {

    /** Entries of {@code jar} that belong to the experiments, not to the product. */
    static List<String> experimentEntries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return Collections.list(file.entries()).stream()
                    .map(JarEntry::getName)
                    .filter(TrainerJarTest::isExperiment)
                    .toList();
        }
    }

    static boolean isExperiment(String entry) {
        return entry.startsWith("dev/alpharl/bench/")
                || entry.startsWith("dev/alpharl/trainer/bench/")
                || entry.equals("dev/alpharl/trainer/cli/BenchCommand.class")
                || entry.endsWith("qwen_ref.py");
    }

    @Test
    @EnabledIfSystemProperty(named = "alpharl.trainer-jar", matches = ".+")
    void trainerJarHoldsNoBenchOrSweepClassAndNoPythonReference() throws IOException {
        Path jar = Path.of(System.getProperty("alpharl.trainer-jar"));
        assertThat(jar).as("build it first: mvn -B -DskipTests package").isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            // the product is there: the check looks at the right jar
            assertThat(file.getEntry("dev/alpharl/trainer/cli/Main.class")).isNotNull();
        }
        assertThat(experimentEntries(jar)).as("experiment entries in " + jar).isEmpty();
    }

    @Test
    void theCheckFindsBenchClassesTheOldPackageAndTheReference(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("trainer.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : List.of(
                    "dev/alpharl/trainer/cli/Main.class",
                    "dev/alpharl/trainer/rl/RlTrainer.class",
                    "dev/alpharl/bench/AlphaRlSweep.class",
                    "dev/alpharl/trainer/bench/JvmBench.class",
                    "dev/alpharl/trainer/cli/BenchCommand.class",
                    "bench/reference/qwen_ref.py",
                    "configs/tiny-grpo.yaml")) {
                out.putNextEntry(new JarEntry(name));
                out.write(1);
                out.closeEntry();
            }
        }

        assertThat(experimentEntries(jar))
                .containsExactly(
                        "dev/alpharl/bench/AlphaRlSweep.class",
                        "dev/alpharl/trainer/bench/JvmBench.class",
                        "dev/alpharl/trainer/cli/BenchCommand.class",
                        "bench/reference/qwen_ref.py");
    }
}
