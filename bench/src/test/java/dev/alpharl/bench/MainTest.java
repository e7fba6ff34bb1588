package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench.jar's command line: its commands, the bare-options form of {@code bench}, and bad input as exit code 2. */
class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("bench.jar", "bench ", "sweep ", "attention ", "model ", "--log-level");
    }

    @Test
    void optionsWithoutACommandAreTheBenchCommand() {
        // a bad shape stops `bench` before any work: the options reached the bench command
        assertThat(run("--reference", "none", "--heads", "3", "--kv-heads", "2", "--out", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("num_attention_heads (3) must be a multiple of num_key_value_heads (2)");
    }

    @Test
    void anOutputDirectoryUnderARegularFileIsExitCode2NamingIt() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path out = file.resolve("bench");
        assertThat(run("bench", "--reference", "none", "--out", out.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--out: cannot write " + out + ": " + file + " is a file, not a directory");
    }

    @Test
    void sweepNeedsARunDirectoryAndKnownConfigKeys() throws IOException {
        assertThat(run("sweep", dir.resolve("nope").toString(), "2,4")).isEqualTo(2);
        assertThat(err.toString()).contains("RUN_DIR: ", "has no config.yaml");

        Files.copy(Path.of("../configs/tiny-grpo.yaml"), dir.resolve("config.yaml"));
        assertThat(run("sweep", dir.toString(), "2", "--data.eval.sise=8")).isEqualTo(2);
        assertThat(err.toString()).contains("data.eval: unknown key 'sise'");
    }

    @Test
    void attentionAndModelRejectBadArguments() {
        assertThat(run("attention", "8", "14")).isEqualTo(2);
        assertThat(err.toString()).contains("all six of B H_q H_kv T d iters or none");
        assertThat(run("attention", "8", "14", "4", "16", "8", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("H_q a multiple of H_kv");
        assertThat(run("model", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("ITERATIONS must be at least 1");
    }
}
