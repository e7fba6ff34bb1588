package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench} end to end on a tiny model, JVM side only (the PyTorch reference runs in bench/bench.sh). */
class BenchCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void jvmOnlyRunWritesTheTableTheModelAndTheInputs() throws IOException {
        Path outDir = dir.resolve("bench");
        int code = run(
                "bench",
                "--reference",
                "none",
                "--layers",
                "1",
                "--hidden",
                "32",
                "--intermediate",
                "64",
                "--heads",
                "2",
                "--kv-heads",
                "1",
                "--head-dim",
                "16",
                "--vocab",
                "64",
                "--batch",
                "2",
                "--prompt-len",
                "4",
                "--new-tokens",
                "3",
                "--iters",
                "1",
                "--warmup",
                "1",
                "--out",
                outDir.toString());

        assertThat(code).as(err.toString()).isEqualTo(0);
        assertThat(out.toString())
                .contains(
                        "| train step, s (median of 1) |",
                        "| optimizer step (AdamW over every weight), s (median of 1) |",
                        "| rollout, tokens/s (B=2, 4+3 tokens) |");
        assertThat(Files.readString(outDir.resolve("bench.md")))
                .isEqualTo(out.toString().stripTrailing() + "\n");
        JsonNode json = new ObjectMapper().readTree(outDir.resolve("bench.json").toFile());
        JsonNode jvm = json.at("/jvm/measurements");
        assertThat(jvm.get("trainStepSeconds").asDouble()).isPositive();
        assertThat(jvm.get("optimizerStepSeconds").asDouble())
                .isPositive()
                .isLessThan(jvm.get("trainStepSeconds").asDouble());
        assertThat(jvm.get("rolloutTokensPerSecond").asDouble()).isPositive();
        // two steps ran (1 warm-up + 1 timed), each with a finite loss near log(64) for random weights
        assertThat(jvm.get("trainLosses")).hasSize(2);
        assertThat(jvm.get("trainLosses").get(0).asDouble()).isBetween(0.5 * Math.log(64), 2 * Math.log(64));
        assertThat(jvm.get("peakRssBytes").asLong()).isGreaterThan(10L << 20);
        assertThat(json.at("/jvm/snapshots/seconds").asDouble()).isPositive();
        assertThat(json.at("/jvm/snapshots/exactSeconds").asDouble()).isPositive();
        assertThat(json.at("/jvm/snapshots/lastSnapshot")).isNotEmpty();
        assertThat(outDir.resolve("model/config.json")).exists();
        assertThat(outDir.resolve("model/model.safetensors")).exists();
        assertThat(outDir.resolve("inputs.safetensors")).exists();
    }

    @Test
    void badShapesAndAMissingReferenceAreBadInput() {
        assertThat(run("bench", "--reference", "none", "--heads", "3", "--kv-heads", "2", "--out", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("num_attention_heads (3) must be a multiple of num_key_value_heads (2)");
        assertThat(run("bench", "--reference", dir.resolve("nope.py").toString(), "--out", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--reference: ").contains("nope.py does not exist");
    }
}
