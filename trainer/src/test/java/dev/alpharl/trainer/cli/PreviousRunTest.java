package dev.alpharl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alpharl.trainer.cli.PreviousRun.Action;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviousRunTest {
    private static final String CONFIG = "run:\n  name: full\ntrainer:\n  total-steps: 250\n";

    @TempDir
    Path dir;

    private Path run(String configYaml, boolean finished) throws IOException {
        Path run = Files.createDirectories(dir.resolve("full"));
        if (configYaml != null) {
            Files.writeString(run.resolve("config.yaml"), configYaml);
        }
        if (finished) {
            Files.writeString(run.resolve("summary.json"), "{}");
        }
        return run;
    }

    @Test
    void noDirectoryStarts() {
        assertThat(PreviousRun.of(dir.resolve("full"), CONFIG).action()).isEqualTo(Action.START);
    }

    @Test
    void aFinishedRunOfTheSameConfigIsReused() throws IOException {
        assertThat(PreviousRun.of(run(CONFIG, true), CONFIG).action()).isEqualTo(Action.REUSE);
    }

    @Test
    void anUnfinishedRunOfTheSameConfigResumes() throws IOException {
        assertThat(PreviousRun.of(run(CONFIG, false), CONFIG).action()).isEqualTo(Action.RESUME);
    }

    @Test
    void aRunOfAnotherConfigRestartsEvenWhenFinishedAndSaysWhy() throws IOException {
        PreviousRun previous = PreviousRun.of(run(CONFIG.replace("250", "4"), true), CONFIG);
        assertThat(previous.action()).isEqualTo(Action.RESTART);
        assertThat(previous.reason())
                .isEqualTo("its config differs (line 4: \"total-steps: 4\" → \"total-steps: 250\")");
    }

    @Test
    void aDirectoryWithoutConfigRestarts() throws IOException {
        assertThat(PreviousRun.of(run(null, true), CONFIG).action()).isEqualTo(Action.RESTART);
    }

    @Test
    void differencesInIndentationOrLengthCount() {
        assertThat(PreviousRun.firstDifference("a:\n  b: 1\n", "a:\n  b: 1\n")).isNull();
        assertThat(PreviousRun.firstDifference("a:\n  b: 1\n", "a:\nb: 1\n")).isEqualTo("line 2: \"b: 1\" → \"b: 1\"");
        assertThat(PreviousRun.firstDifference("a: 1\n", "a: 1\nb: 2\n")).isEqualTo("line 2: \"(end)\" → \"b: 2\"");
    }
}
