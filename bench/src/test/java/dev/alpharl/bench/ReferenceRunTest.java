package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.trainer.model.QwenConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceRunTest {

    static final String RESULT = "{\"implementation\": \"PyTorch 1.13.0a0 eager\", \"threads\": 2, "
            + "\"blas\": \"/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3\", "
            + "\"gemm_gflops\": 201.5, \"rollout_tokens_per_s\": 812.25, \"train_step_s\": 2.5, "
            + "\"optimizer_step_s\": 0.125, "
            + "\"train_losses\": [6.41, 6.2, 6.0], \"first_grad_norm\": 3.8, \"peak_rss_bytes\": 734003200, "
            + "\"logits_max_abs_error\": 5.1e-07, \"logits_max_rel_error\": 3.2e-07}";

    @TempDir
    Path dir;

    @Test
    void parsesTheLastJsonLineAmongOtherOutput() {
        ReferenceRun.Result r = ReferenceRun.parse("loading...\n{\"not\": \"this one\"}\nwarming up\n" + RESULT + "\n");

        Measurements m = r.measurements();
        assertThat(m.implementation()).isEqualTo("PyTorch 1.13.0a0 eager");
        assertThat(m.threads()).isEqualTo(2);
        assertThat(m.gemmGflops()).isEqualTo(201.5);
        assertThat(m.rolloutTokensPerSecond()).isEqualTo(812.25);
        assertThat(m.trainStepSeconds()).isEqualTo(2.5);
        assertThat(m.optimizerStepSeconds()).isEqualTo(0.125);
        assertThat(m.trainLosses()).containsExactly(6.41, 6.2, 6.0);
        assertThat(m.firstGradNorm()).isEqualTo(3.8);
        assertThat(m.peakRssBytes()).isEqualTo(734_003_200L);
        assertThat(r.blas()).isEqualTo("/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3");
        assertThat(r.logitsMaxAbsError()).isEqualTo(5.1e-7);
        assertThat(r.logitsMaxRelError()).isEqualTo(3.2e-7);
    }

    @Test
    void aMissingOrMistypedKeyOrNoResultIsNamed() {
        assertThatThrownBy(() -> ReferenceRun.parse(RESULT.replace("\"train_step_s\"", "\"step_s\"")))
                .hasMessageContaining("lacks key 'train_step_s'");
        assertThatThrownBy(() -> ReferenceRun.parse(RESULT.replace("201.5", "\"fast\"")))
                .hasMessageContaining("'gemm_gflops' is not a number");
        assertThatThrownBy(() -> ReferenceRun.parse("Traceback (most recent call last):\nImportError: torch\n"))
                .hasMessageContaining("no JSON result line")
                .hasMessageContaining("ImportError: torch");
        assertThatThrownBy(() -> ReferenceRun.parse("{\"threads\": 2,")).hasMessageContaining("not valid JSON");
    }

    @Test
    void runsTheScriptWithTheSettingsAndReportsItsFailure() throws IOException, InterruptedException {
        BenchSettings s = new BenchSettings(
                QwenConfig.tiny("qwen3", 32, 64, 1, 2, 1, 16, 50, true), 3, 4, 5, 2, 1, 7, 1e-4, 0.01);
        // a stand-in for python: /bin/sh runs a script that records its arguments and prints a result
        Path args = dir.resolve("args.txt");
        Path script = Files.writeString(
                dir.resolve("ref.sh"), "echo \"$@\" > " + args + "\necho progress\n" + "echo '" + RESULT + "'\n");
        ReferenceRun.Result r =
                ReferenceRun.run(Path.of("/bin/sh"), script, dir.resolve("model"), dir.resolve("in.safetensors"), s, 2);
        assertThat(r.measurements().trainStepSeconds()).isEqualTo(2.5);
        assertThat(Files.readString(args).strip())
                .isEqualTo("--model " + dir.resolve("model") + " --inputs "
                        + dir.resolve("in.safetensors") + " --threads 2 --iters 2 --warmup 1 --lr 1.0E-4 "
                        + "--weight-decay 0.01 --gemm 27,32,64 --seed 7");

        Path blasFailure = Files.writeString(dir.resolve("fail.sh"), "echo partial\nexit 3\n");
        assertThatThrownBy(() -> ReferenceRun.run(Path.of("/bin/sh"), blasFailure, dir, dir, s, 2))
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("optimized BLAS")
                .hasMessageContaining("partial");
    }
}
