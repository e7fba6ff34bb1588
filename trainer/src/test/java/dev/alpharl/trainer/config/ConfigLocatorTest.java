package dev.alpharl.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.trainer.config.ConfigLocator.ConfigText;
import dev.alpharl.trainer.model.BuiltinModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLocatorTest {
    @TempDir
    Path dir;

    @Test
    void aPathIsReadAsGiven() throws IOException {
        Path file = Files.writeString(dir.resolve("mine.yml"), "run: {name: mine}\n");
        ConfigText text = new ConfigLocator(Path.of("")).locate(file.toString());
        assertThat(text.source()).isEqualTo(file.toString());
        assertThat(text.text()).isEqualTo("run: {name: mine}\n");
    }

    @Test
    void aNameIsLookedUpInConfigsWithOrWithoutExtension() throws IOException {
        Files.createDirectories(dir.resolve("configs"));
        Files.writeString(dir.resolve("configs/small.yaml"), "run: {name: small}\n");
        ConfigLocator locator = new ConfigLocator(dir);
        assertThat(locator.locate("small").source())
                .isEqualTo(dir.resolve("configs/small.yaml").toString());
        assertThat(locator.locate("small.yaml").text()).isEqualTo("run: {name: small}\n");
    }

    @Test
    void configsOnDiskShadowTheBundledOnes() throws IOException {
        Files.createDirectories(dir.resolve("configs"));
        Files.writeString(dir.resolve("configs/tiny-grpo.yaml"), "run: {name: edited}\n");
        assertThat(new ConfigLocator(dir).locate("tiny-grpo").text()).isEqualTo("run: {name: edited}\n");
    }

    @Test
    void bundledConfigsAreFoundOnTheClassPath() throws IOException {
        ConfigText text = new ConfigLocator(dir).locate("tiny-grpo.yaml");
        assertThat(text.source()).isEqualTo("classpath:/configs/tiny-grpo.yaml");
        assertThat(text.text()).isEqualTo(Files.readString(Path.of("../configs/tiny-grpo.yaml")));
    }

    @Test
    void aMissingConfigSaysWhereItLookedAndWhatExists() throws IOException {
        Files.createDirectories(dir.resolve("configs"));
        Files.writeString(dir.resolve("configs/b.yaml"), "");
        Files.writeString(dir.resolve("configs/a.yaml"), "");
        assertThatThrownBy(() -> new ConfigLocator(dir).locate("nope"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config not found: nope (looked for " + dir.resolve("nope") + ", "
                        + dir.resolve("configs/nope.yaml") + ", classpath:/configs/nope.yaml); configs here: a, b");
    }

    @Test
    void everyConfigInTheRepositoryIsValid() throws IOException {
        try (var files = Files.list(Path.of("../configs"))) {
            List<Path> configs =
                    files.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertThat(configs).isNotEmpty();
            for (Path config : configs) {
                TrainConfig parsed =
                        ConfigLoader.parse(TrainConfig.class, Files.readString(config), config.toString(), List.of());
                assertThat(parsed.rewards()).as(config.toString()).isNotEmpty();
            }
        }
    }

    @Test
    void tinyConfigIsSizedForACpu() {
        TrainConfig tiny = TrainConfig.load("tiny-grpo", List.of());
        assertThat(tiny.model().device()).isEqualTo("cpu");
        // the tiny model the config trains, shipped inside the jar
        assertThat(BuiltinModels.resolve(tiny.model().path(), "model.path").resolve("model.safetensors"))
                .exists();
        assertThat(tiny.rollout().groupSize() * tiny.rollout().promptsPerStep()).isLessThanOrEqualTo(256);
    }
}
