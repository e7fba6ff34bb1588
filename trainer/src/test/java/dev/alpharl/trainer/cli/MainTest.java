package dev.alpharl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alpharl.trainer.config.ConfigException;
import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line run in-process with captured streams. */
class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    private Path config(String yaml) throws IOException {
        return Files.writeString(dir.resolve("c.yaml"), yaml);
    }

    @AfterEach
    void restoreLogLevel() {
        Configurator.setRootLevel(Level.INFO);
    }

    @Test
    void helpListsTheCommandsAndGlobalOptions() {
        assertThat(run("--help")).isEqualTo(0);
        assertThat(out.toString()).contains("Commands:", "config", "--log-level", "--version");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void versionComesFromTheBuild() {
        assertThat(run("--version")).isEqualTo(0);
        assertThat(out.toString()).startsWith("trainer 0.1.0-SNAPSHOT");
    }

    @Test
    void withoutACommandOverridesAndOptionsGoToTheDefaultJob() {
        // validated before any training: the job's accelerated run needs AlphaRL on
        assertThat(run("--alpharl.window=0", "--log-level=warn")).isEqualTo(2);
        assertThat(err.toString())
                .startsWith("error: alpharl.window: the default job's accelerated run needs "
                        + "alpharl.window > 0, got 0");
    }

    @Test
    void globalOptionsBeforeACommandStillReachTheCommand() {
        assertThat(run("--log-level", "warn", "config", "--config", "tiny-grpo"))
                .isEqualTo(0);
        assertThat(out.toString()).contains("name: tiny-grpo");
    }

    @Test
    void configPrintsTheResolvedConfigWithOverridesAmongOptions() throws IOException {
        Path file = config("model:\n  path: m\ndata:\n  train: {path: t}\nrollout:\n  group-size: 4\n");

        int code = run(
                "config",
                "--rollout.group-size=6",
                "--config",
                file.toString(),
                "--algorithm.kl.coef",
                "0.01",
                "--log-level=warn");

        assertThat(err.toString()).isEmpty();
        assertThat(code).isEqualTo(0);
        TrainConfig printed = ConfigLoader.parse(TrainConfig.class, out.toString(), "stdout", List.of());
        assertThat(printed)
                .isEqualTo(ConfigLoader.parse(
                        TrainConfig.class,
                        Files.readString(file),
                        "c.yaml",
                        List.of("--rollout.group-size=6", "--algorithm.kl.coef=0.01")));
        assertThat(printed.rollout().groupSize()).isEqualTo(6);
        assertThat(printed.algorithm().kl().coef()).isEqualTo(0.01);
    }

    @Test
    void configFindsBundledConfigsByName() {
        assertThat(run("config", "--config", "tiny-grpo")).isEqualTo(0);
        assertThat(out.toString()).contains("name: tiny-grpo");
    }

    @Test
    void badKeyExitsTwoWithOneLineOnStderr() throws IOException {
        Path file = config("model:\n  path: m\ndata:\n  train: {path: t}\n");

        assertThat(run("config", "--config", file.toString(), "--rollout.groupsize=4"))
                .isEqualTo(2);

        assertThat(err.toString())
                .isEqualTo("error: --rollout.groupsize=4: unknown key rollout.groupsize "
                        + "(did you mean rollout.group-size?)" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void badValueInTheFileNamesFileAndLine() throws IOException {
        Path file = config("model:\n  path: m\ndata:\n  train: {path: t}\nrollout:\n  top-p: 1.5\n");

        assertThat(run("config", "--config", file.toString())).isEqualTo(2);

        assertThat(err.toString().strip())
                .isEqualTo("error: " + file + ":6: rollout.top-p must be between 0 and 1, got 1.5");
    }

    @Test
    void missingConfigOptionIsBadInput() {
        assertThat(run("config", "--rollout.group-size=4")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--config=FILE|NAME'");
    }

    @Test
    void logLevelSetsTheRootLoggerButKeepsCudaUtilsQuiet() {
        run("--log-level", "debug", "--version");
        assertThat(LogManager.getRootLogger().getLevel()).isEqualTo(Level.DEBUG);
        assertThat(LogManager.getLogger("ai.djl.util.cuda.CudaUtils").getLevel())
                .isEqualTo(Level.ERROR);

        assertThat(run("--log-level", "loud", "--version")).isEqualTo(2);
        assertThat(err.toString()).contains("--log-level", "loud");
    }

    @Test
    void internalFailuresExitOneWithTheStackTrace() {
        StringWriter trace = new StringWriter();
        assertThat(Main.report(new IllegalStateException("boom"), new PrintWriter(trace)))
                .isEqualTo(1);
        assertThat(trace.toString())
                .startsWith("internal error: java.lang.IllegalStateException: boom")
                .contains("\tat ");

        StringWriter line = new StringWriter();
        assertThat(Main.report(new ConfigException("c.yaml:3: bad"), new PrintWriter(line)))
                .isEqualTo(2);
        assertThat(line.toString()).isEqualTo("error: c.yaml:3: bad" + System.lineSeparator());
    }
}
