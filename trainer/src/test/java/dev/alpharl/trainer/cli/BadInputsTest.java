package dev.alpharl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.trainer.checkpoint.TrainerCheckpoint;
import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.metrics.MetricsJsonl;
import dev.alpharl.trainer.model.TinyModelCopies;
import dev.alpharl.trainer.rl.TrainingContext;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad inputs found by trying them (issue 11): weights holding NaN/Inf, a run whose every step is skipped, an output
 * directory that cannot be written, a prompt longer than the model's positions. Each is a one-line error naming
 * what is wrong, exit code 2, through the command line.
 */
class BadInputsTest {

    static Path tiny;

    @BeforeAll
    static void locateModel() {
        TorchRuntime.init();
        tiny = TinyModelCopies.tinyQwen();
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run run(List<String> args) {
        return run(args.toArray(String[]::new));
    }

    private static String slashes(Path p) {
        return p.toString().replace("\\", "/");
    }

    /** A small GRPO config on the tiny model writing to {@code out/name}, with {@code eval} as the eval source. */
    private static Path yaml(Path dir, Path out, String name, String eval) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                run: {name: %s, output-dir: %s, seed: 3}
                model: {path: %s, device: cpu}
                data:
                  train: {kind: synthetic, task: arithmetic, size: 50, seed: 1, split: train, max-digits: 2}
                  eval: %s
                rollout: {group-size: 4, prompts-per-step: 2, max-new-tokens: 6, eval-temperature: 0.0, eval-n: 1}
                rewards: [{name: math, options: {style: gsm8k}}]
                optim: {lr: 2.0e-5, weight-decay: 0.0}
                trainer: {total-steps: 2, micro-batch-size: 8}
                """.formatted(name, slashes(out), slashes(tiny), eval));
        return file;
    }

    private static final String SYNTHETIC_EVAL =
            "{kind: synthetic, task: arithmetic, size: 4, seed: 2, split: held-out, max-digits: 2}";

    private static List<String> args(String... first) {
        return new ArrayList<>(Arrays.asList(first));
    }

    // ---- 1. weights holding NaN/Inf

    @Test
    void aModelWithNaNAndInfWeightsIsRefusedByGenerateEvalAndTrainNamingTheTensor(@TempDir Path tmp) throws Exception {
        String tensor = "model.layers.2.self_attn.o_proj.weight";
        Path bad = TinyModelCopies.withNonFinite(tmp.resolve("bad-model"), tensor);
        String expected = "error: " + bad.resolve("model.safetensors") + ": tensor '" + tensor + "' holds non-finite "
                + "values (1 NaN and 1 Inf of 16384 elements); a model with NaN/Inf weights cannot be trained or "
                + "sampled" + System.lineSeparator();
        Path config = yaml(tmp, tmp, "nan", SYNTHETIC_EVAL);

        Run generate = run("generate", "--model", bad.toString(), "--prompt", "What is 1 + 2?");
        assertThat(generate.code()).as(generate.err()).isEqualTo(2);
        assertThat(generate.err()).isEqualTo(expected);

        Run eval = run("eval", "--model", bad.toString(), "--config", config.toString(), "--n", "1");
        assertThat(eval.code()).as(eval.err()).isEqualTo(2);
        assertThat(eval.err()).isEqualTo(expected);

        Run train = run("train", "--config", config.toString(), "--model.path=" + bad);
        assertThat(train.code()).as(train.err()).isEqualTo(2);
        assertThat(train.err()).isEqualTo(expected);
        assertThat(tmp.resolve("nan/metrics.jsonl")).as("no step ran").doesNotExist();
    }

    // ---- 2. trainer.max-skipped-steps

    @Test
    void aRunWhoseRewardsNeverVaryStopsAfterMaxSkippedStepsWithACheckpoint(@TempDir Path tmp) throws Exception {
        // a reward of weight 0 scores every completion alike: under dynamic sampling every group is dropped and no
        // step updates the weights
        Path config = yaml(tmp, tmp, "flat", "null");
        Run r = run(
                "train",
                "--config",
                config.toString(),
                "--rewards.0.weight=0",
                "--algorithm.dynamic-sampling=true",
                "--trainer.total-steps=10",
                "--trainer.max-skipped-steps=3");
        Path runDir = tmp.resolve("flat");
        Path checkpoint = runDir.resolve("checkpoints").resolve("step-000003");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err())
                .startsWith("error: trainer.max-skipped-steps = 3: steps 1 to 3 applied no optimizer step (3 with no "
                        + "reward variance); every group of completions got equal rewards: check that the rewards "
                        + "can tell completions apart on data.train")
                .endsWith("the run stopped after writing " + checkpoint + " (running the same command resumes from "
                        + "it; trainer.max-skipped-steps: 0 never stops)" + System.lineSeparator());
        assertThat(r.err().lines()).hasSize(1);
        // nothing lost: every step's metrics and a checkpoint of the last one; the run is not reported finished
        assertThat(MetricsJsonl.read(runDir.resolve("metrics.jsonl")))
                .hasSize(3)
                .allSatisfy(line -> assertThat(line.get("skip_reason")).isEqualTo("no reward variance"));
        assertThat(TrainerCheckpoint.latest(runDir)).contains(checkpoint);
        assertThat(runDir.resolve("summary.json")).doesNotExist();
        assertThat(runDir.resolve("final")).doesNotExist();
    }

    // ---- 3. an output directory that cannot be written

    @Test
    void anOutputDirectoryUnderARegularFileIsExitCode2NamingIt(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");
        Path out = file.resolve("runs");
        Path config = yaml(tmp, out, "r", SYNTHETIC_EVAL);
        String runDir = "run.output-dir: cannot write " + out.resolve("r").toAbsolutePath() + ": " + file
                + " is a file, not a directory";
        String job = "run.output-dir: cannot write " + out.resolve("r").toAbsolutePath() + ": " + file
                + " is a file, not a directory";
        String outOption = "--out: cannot write " + out + ": " + file + " is a file, not a directory";
        String m = tiny.toString();
        List<List<String>> cases = List.of(
                args("train", "--config", config.toString()),
                args("sft", "--config", config.toString()),
                args("default", "--config", config.toString(), "--alpharl.window=1"),
                args(
                        "alpharl",
                        "predict",
                        "--method",
                        "alpharl",
                        "--base",
                        m,
                        "--checkpoints",
                        m + "," + m,
                        "--steps",
                        "1,2",
                        "--rewards",
                        "0.1,0.2",
                        "--target-reward",
                        "0.5",
                        "--out",
                        out.toString()),
                args(
                        "alpharl",
                        "analyze",
                        "--base",
                        m,
                        "--checkpoints",
                        m + "," + m + "," + m,
                        "--out",
                        out.toString()));
        List<String> expected = List.of(runDir, runDir, job, outOption, outOption);
        for (int i = 0; i < cases.size(); i++) {
            Run r = run(cases.get(i));
            String what = String.join(" ", cases.get(i).subList(0, 2));
            assertThat(r.code()).as(what + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(what).isEqualTo("error: " + expected.get(i) + System.lineSeparator());
        }
        assertThat(file).hasContent("not a directory");
    }

    // ---- 4. a prompt longer than the model's max_position_embeddings (512 for the tiny model)

    @Test
    void maxPromptTokensWithMaxNewTokensMustFitTheModel(@TempDir Path tmp) throws Exception {
        Path config = yaml(tmp, tmp, "long", SYNTHETIC_EVAL);
        Path modelConfig = tiny.resolve("config.json");
        Run tooMany = run("train", "--config", config.toString(), "--data.max-prompt-tokens=510");
        assertThat(tooMany.code()).as(tooMany.err()).isEqualTo(2);
        assertThat(tooMany.err())
                .isEqualTo("error: data.max-prompt-tokens (510) + rollout.max-new-tokens (6) = 516 is more than the "
                        + "model's max_position_embeddings (512, " + modelConfig + "): lower data.max-prompt-tokens to "
                        + "at most 506 (0: as many as fit) or rollout.max-new-tokens" + System.lineSeparator());
        Run noRoom = run("train", "--config", config.toString(), "--rollout.max-new-tokens=512");
        assertThat(noRoom.code()).as(noRoom.err()).isEqualTo(2);
        assertThat(noRoom.err())
                .isEqualTo("error: rollout.max-new-tokens = 512 leaves no room for a prompt: the model's "
                        + "max_position_embeddings is 512 (" + modelConfig + ")" + System.lineSeparator());
        // the default, 0, is what fits; 506 is accepted
        TrainConfig fits =
                ConfigLoader.load(TrainConfig.class, config.toString(), List.of("--data.max-prompt-tokens=506"));
        try (TrainingContext ctx = TrainingContext.open(fits)) {
            assertThat(ctx.train()).hasSize(50);
        }
        assertThat(tmp.resolve("long")).as("nothing written").doesNotExist();
    }

    /** An eval set with a short prompt and one of about 800 tokens. */
    private static Path longEvalSet(Path tmp) throws Exception {
        String longQuestion = "What is " + "1 + ".repeat(200) + "1?";
        Path file = tmp.resolve("eval.jsonl");
        ObjectMapper json = new ObjectMapper();
        Files.writeString(
                file,
                json.writeValueAsString(
                                java.util.Map.of("id", "short", "question", "What is 1 + 2?", "answer", "#### 3"))
                        + "\n"
                        + json.writeValueAsString(
                                java.util.Map.of("id", "long", "question", longQuestion, "answer", "#### 201"))
                        + "\n");
        return file;
    }

    @Test
    void anEvalPromptLongerThanTheModelIsRefusedOrKeepsItsLastTokensWhenTheConfigSaysSo(@TempDir Path tmp)
            throws Exception {
        Path eval = longEvalSet(tmp);
        Path config = yaml(tmp, tmp, "e", "{kind: jsonl, path: " + slashes(eval) + ", format: gsm8k}");
        Run refused = run("eval", "--model", tiny.toString(), "--config", config.toString());
        assertThat(refused.code()).as(refused.err()).isEqualTo(2);
        assertThat(refused.err())
                .matches("error: data\\.eval: prompt 'long' has \\d+ tokens, more than the 506 that fit the model's "
                        + "max_position_embeddings \\(512, \\Q" + tiny.resolve("config.json") + "\\E\\) with "
                        + "rollout\\.max-new-tokens = 6; set data\\.truncate-prompts: left to keep the last 506 tokens "
                        + "of such prompts, or lower rollout\\.max-new-tokens\\R");

        TrainConfig left =
                ConfigLoader.load(TrainConfig.class, config.toString(), List.of("--data.truncate-prompts=left"));
        try (TrainingContext ctx = TrainingContext.open(left)) {
            PromptSample longOne = ctx.eval().get(1);
            long[] whole = ctx.tokenizer().encode(ctx.encoder().render(longOne));
            assertThat(whole.length).isGreaterThan(506);
            assertThat(ctx.encoder().encode(longOne))
                    .containsExactly(Arrays.copyOfRange(whole, whole.length - 506, whole.length));
            PromptSample shortOne = ctx.eval().get(0);
            assertThat(ctx.encoder().encode(shortOne))
                    .containsExactly(ctx.tokenizer().encode(ctx.encoder().render(shortOne)));
        }
        Run truncated =
                run("eval", "--model", tiny.toString(), "--config", config.toString(), "--data.truncate-prompts=left");
        assertThat(truncated.code()).as(truncated.err()).isZero();
        assertThat(new ObjectMapper().readTree(truncated.out()).get("n").asInt())
                .isEqualTo(2);
    }

    @Test
    void generateRefusesAPromptLongerThanTheModelUnlessAskedToTruncate() {
        String prompt = "What is " + "1 + ".repeat(200) + "1?";
        Run refused = run("generate", "--model", tiny.toString(), "--prompt", prompt, "--max-new-tokens", "8");
        assertThat(refused.code()).as(refused.err()).isEqualTo(2);
        assertThat(refused.err())
                .matches("error: --prompt: the prompt has \\d+ tokens, more than the 504 that fit the model's "
                        + "max_position_embeddings \\(512, \\Q" + tiny.resolve("config.json") + "\\E\\) with "
                        + "--max-new-tokens 8; --truncate-prompt left keeps its last 504 tokens\\R");
        Run truncated = run(
                "generate",
                "--model",
                tiny.toString(),
                "--prompt",
                prompt,
                "--max-new-tokens",
                "8",
                "--truncate-prompt",
                "left",
                "--json");
        assertThat(truncated.code()).as(truncated.err()).isZero();
        assertThat(truncated.out()).contains("\"completion_ids\"");
        Run noRoom = run("generate", "--model", tiny.toString(), "--prompt", "1 + 1", "--max-new-tokens", "600");
        assertThat(noRoom.code()).isEqualTo(2);
        assertThat(noRoom.err()).startsWith("error: --max-new-tokens 600 leaves no room for a prompt within");
    }
}
