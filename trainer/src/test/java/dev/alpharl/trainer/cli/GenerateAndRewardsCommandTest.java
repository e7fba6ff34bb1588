package dev.alpharl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.rollout.Completion;
import dev.alpharl.trainer.rollout.Generator;
import dev.alpharl.trainer.rollout.SamplingParams;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateAndRewardsCommandTest {

    @TempDir
    static Path tmp;

    static Path modelDir;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void makeTinyModel() throws URISyntaxException {
        TorchRuntime.init();
        Path tokenizer = Path.of(GenerateAndRewardsCommandTest.class
                        .getResource("/tokenizers/tiny/tokenizer.json")
                        .toURI())
                .getParent();
        modelDir = tmp.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager()) {
            QwenModel model =
                    QwenModel.random(QwenConfig.tiny("qwen2", 32, 64, 2, 4, 2, 8, 50, true), 3, DataType.FLOAT32, m);
            HfCheckpoint.save(model, modelDir, SafetensorsDtype.F32, tokenizer);
        }
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void generateJsonGivesTheGeneratorsTokensAndLogprobs() throws Exception {
        Run r = run(
                "generate",
                "--model",
                modelDir.toString(),
                "--prompt-ids",
                "3,4,5",
                "--max-new-tokens",
                "5",
                "--temperature",
                "0.8",
                "--top-k",
                "10",
                "--n",
                "2",
                "--seed",
                "7",
                "--json");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        List<Completion> expected;
        try (NDManager m = NDManager.newBaseManager()) {
            QwenModel model = HfCheckpoint.load(modelDir, m);
            // the tiny tokenizer's stop ids: <|im_end|> (its eos); pad <|endoftext|>
            expected = new Generator(model)
                    .generate(
                            List.of(new long[] {3, 4, 5}, new long[] {3, 4, 5}),
                            new SamplingParams(5, 0.8, 1, 10, Set.of(49L), 47),
                            new SplittableRandom(7),
                            m);
        }
        for (int i = 0; i < 2; i++) {
            JsonNode o = JSON.readTree(lines.get(i));
            long[] ids = JSON.treeToValue(o.get("completion_ids"), long[].class);
            assertThat(ids).containsExactly(expected.get(i).tokens());
            assertThat(o.get("logprobs").size()).isEqualTo(ids.length);
            assertThat(o.get("logprobs").get(0).asDouble()).isLessThan(0);
            assertThat(o.get("text").isTextual()).isTrue();
        }
    }

    @Test
    void generateFromTextIsGreedyByDefaultAndDeterministic() {
        Run a = run(
                "generate",
                "--model",
                modelDir.toString(),
                "--prompt",
                "What is 1+2?",
                "--max-new-tokens",
                "4",
                "--logprobs");
        Run b = run(
                "generate",
                "--model",
                modelDir.toString(),
                "--prompt",
                "What is 1+2?",
                "--max-new-tokens",
                "4",
                "--logprobs");
        assertThat(a.code()).as(a.err()).isZero();
        assertThat(a.out()).isEqualTo(b.out()).contains("logprobs ");
    }

    @Test
    void generateRejectsBadInputWithExitCode2() {
        Run missing = run("generate", "--model", tmp.resolve("nope").toString(), "--prompt", "hi");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("nope: not a directory");
        Run outside = run("generate", "--model", modelDir.toString(), "--prompt-ids", "1,500");
        assertThat(outside.code()).isEqualTo(2);
        assertThat(outside.err()).contains("id 500 is outside the model's vocabulary [0, 50)");
        Run template = run("generate", "--model", modelDir.toString(), "--prompt", "hi", "--template", "llama");
        assertThat(template.code()).isEqualTo(2);
        assertThat(template.err()).contains("--template");
    }

    @Test
    void rewardsScoresEachLine() throws Exception {
        Path in = tmp.resolve("in.jsonl");
        Files.writeString(in, """
                {"completion": "so the answer is \\\\boxed{\\\\frac{1}{2}}", "answer": "0.5"}
                {"completion": "I think \\\\boxed{3}", "answer": "4"}

                {"completion": "<answer>(6+4)*2</answer>", "answer": "20", "numbers": [6, 4, 2], "target": 20}
                """);
        Run math = run("rewards", "--reward", "math", "--input", in.toString());
        assertThat(math.code()).as(math.err()).isZero();
        List<String> lines = math.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(JSON.readTree(lines.get(0)).get("score").asDouble()).isEqualTo(1.0);
        assertThat(JSON.readTree(lines.get(1)).get("score").asDouble()).isEqualTo(0.0);
        Run countdown = run("rewards", "--reward", "countdown", "--input", in.toString());
        assertThat(JSON.readTree(countdown.out().lines().toList().get(2))
                        .get("score")
                        .asDouble())
                .isEqualTo(1.0);
    }

    @Test
    void rewardsReportsTheFileAndLineOfABadRecord() throws Exception {
        Path in = tmp.resolve("bad.jsonl");
        Files.writeString(in, "{\"completion\": \"x\", \"answer\": \"1\"}\n{not json\n");
        Run r = run("rewards", "--reward", "math", "--input", in.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(in + ", line 2: expected a JSON object");
        Run unknown = run("rewards", "--reward", "maths", "--input", in.toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown reward 'maths'");
    }
}
