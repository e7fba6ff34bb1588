package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.io.UserInputException;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The models the build ships inside trainer.jar (on the test class path: target/classes/models). */
class BuiltinModelsTest {

    /** The repository's copy that the build bundles: the reference the extracted files must equal. */
    private static final Path REPO_MODELS = Path.of("..", "models");

    @TempDir
    Path cache;

    @Test
    void theBuildShipsTheProjectsSmallModels() {
        assertThat(BuiltinModels.names()).containsExactly("reasoning-base", "tiny-qwen", "tiny-qwen-init");
    }

    @Test
    void extractsAByteForByteCopyNamedByItsDigest() throws IOException {
        Path dir = BuiltinModels.extract("tiny-qwen", cache, "model.path");

        Path repo = REPO_MODELS.resolve("tiny-qwen");
        assertThat(fileNames(dir)).isEqualTo(fileNames(repo)).contains("model.safetensors", "tokenizer.json");
        for (String name : fileNames(repo)) {
            assertThat(Files.readAllBytes(dir.resolve(name)))
                    .as(name)
                    .isEqualTo(Files.readAllBytes(repo.resolve(name)));
        }
        assertThat(dir.getParent()).isEqualTo(cache.resolve("models"));
        assertThat(dir.getFileName().toString())
                .isEqualTo("tiny-qwen-" + BuiltinModels.digest(repo).substring(0, 12));
        assertThat(fileNames(cache.resolve("models")))
                .containsExactly(dir.getFileName().toString());
    }

    @Test
    void aVerifiedCopyIsReusedAndADamagedOneReplaced() throws IOException {
        Path dir = BuiltinModels.extract("tiny-qwen", cache, "model.path");
        Path weights = dir.resolve("model.safetensors");
        FileTime written = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(weights, written);

        assertThat(BuiltinModels.extract("tiny-qwen", cache, "model.path")).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(weights)).isEqualTo(written);

        byte[] damaged = Files.readAllBytes(weights);
        damaged[damaged.length - 1] ^= 1; // same size, one bit off
        Files.write(weights, damaged);
        assertThat(BuiltinModels.extract("tiny-qwen", cache, "model.path")).isEqualTo(dir);
        assertThat(Files.readAllBytes(weights))
                .isEqualTo(Files.readAllBytes(REPO_MODELS.resolve("tiny-qwen/model.safetensors")));
    }

    @Test
    void anUnknownNameIsAnErrorNamingTheKeyAndTheChoices() {
        assertThatThrownBy(() -> BuiltinModels.resolve(Path.of("builtin:tiny-llama"), "--model"))
                .isInstanceOf(UserInputException.class)
                .hasMessage("--model: no built-in model named \"tiny-llama\" in trainer.jar "
                        + "(built-in: builtin:reasoning-base, builtin:tiny-qwen, builtin:tiny-qwen-init)");
        assertThat(BuiltinModels.resolve(Path.of("models/x"), "--model")).isEqualTo(Path.of("models/x"));
    }

    @Test
    void theBundledConfigsResolveToTheBuiltinModelWhichLoads() {
        TrainConfig reasoning = TrainConfig.load("default", List.of());
        assertThat(reasoning.model().path()).isEqualTo(Path.of("builtin:reasoning-base"));
        assertThat(reasoning.alpharl().enabled()).isTrue();
        TrainConfig job = TrainConfig.load("tiny-default", List.of());
        assertThat(job.model().path()).isEqualTo(Path.of("builtin:tiny-qwen"));
        assertThat(TrainConfig.load("tiny-grpo", List.of()).model().path())
                .isEqualTo(job.model().path());
        assertThat(job.alpharl().enabled()).isTrue();

        Path dir = BuiltinModels.resolve(job.model().path(), "model.path");
        assertThat(dir).startsWith(BuiltinModels.cacheDir());
        TorchRuntime.init();
        try (NDManager m = NDManager.newBaseManager();
                QwenModel model = HfCheckpoint.load(dir, m);
                QwenTokenizer tokenizer = QwenTokenizer.load(dir)) {
            assertThat(model.parameterCount()).isEqualTo(794_240);
            assertThat(model.config().vocabSize()).isEqualTo(50);
            assertThat(tokenizer.decode(tokenizer.encode("12+7="), true)).isEqualTo("12+7=");
        }
        try (NDManager m = NDManager.newBaseManager();
                QwenModel model = HfCheckpoint.load(
                        BuiltinModels.resolve(reasoning.model().path(), "model.path"), m)) {
            assertThat(model.parameterCount())
                    .isEqualTo(3_161_344); // docs/results.md "The reasoning-regime base model"
            assertThat(model.config().numLayers()).isEqualTo(4);
        }
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
