package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alpharl.trainer.config.TrainConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** rl-step's options: the defaults of the task, trainer config overrides, and bad input as exit code 2. */
class RlStepCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void defaultsAreTwoPromptsOfEightSamplesWithPrompt128AndCompletionsUpTo256() {
        RlStepCommand c = new RlStepCommand();
        new CommandLine(c).parseArgs();
        assertThat(List.of(c.prompts, c.groupSize, c.promptLen, c.maxNewTokens, c.iters, c.warmup))
                .containsExactly(2, 8, 128, 256, 3, 1);
        assertThat(List.of(c.shape.layers, c.shape.hidden, c.shape.vocab)).containsExactly(8, 512, 4096);
        assertThat(c.reference).isEqualTo("bench/reference/rl_step_ref.py");
        assertThat(c.overrides).isEmpty();
    }

    @Test
    void trainerAndOptimizerOverridesReachTheTrainConfig() {
        RlStepCommand c = new RlStepCommand();
        new CommandLine(c)
                .parseArgs("--group-size", "4", "--trainer.max-tokens-per-micro-batch=4096", "--optim.lr", "1e-5");
        TrainConfig config = RlStepSettings.trainConfig(c.prompts, c.groupSize, c.maxNewTokens, c.overrides);
        assertThat(config.trainer().maxTokensPerMicroBatch()).isEqualTo(4096);
        assertThat(config.optim().lr()).isEqualTo(1e-5);
        assertThat(config.rollout().groupSize()).isEqualTo(4);
        assertThat(config.rollout().promptsPerStep()).isEqualTo(2);
        assertThat(config.rollout().maxNewTokens()).isEqualTo(256);
        // the trainer's defaults otherwise: GRPO, micro-batches of 8 rows, grad clip 1
        assertThat(config.trainer().microBatchSize()).isEqualTo(8);
        assertThat(config.optim().gradClip()).isEqualTo(1.0);
        assertThat(config.algorithm().name().name()).isEqualTo("GRPO");
    }

    @Test
    void otherConfigSectionsAndUnknownKeysAreBadInput() {
        assertThat(run("rl-step", "--reference", "none", "--out", dir.toString(), "--algorithm.name=dapo"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("'--algorithm.name=dapo'", "takes --trainer.* and --optim.*");
        assertThat(run("rl-step", "--reference", "none", "--out", dir.toString(), "--trainer.micro-batch=3"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("micro-batch");
    }

    @Test
    void aGroupOfOneOrLengthsBeyondTheModelAreBadInput() {
        assertThat(run("rl-step", "--reference", "none", "--out", dir.toString(), "--group-size", "1"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("group-size >= 2");
        assertThat(run("rl-step", "--reference", "none", "--out", dir.toString(), "--max-new-tokens", "5000"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("exceeds the model's 4096 positions");
    }

    @Test
    void aMissingReferenceScriptIsBadInput() {
        assertThat(run("rl-step", "--reference", dir.resolve("nope.py").toString()))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--reference: ", "nope.py does not exist");
    }
}
