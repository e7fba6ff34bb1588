package dev.alpharl.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.app.TrainingRun;
import dev.alpharl.trainer.checkpoint.TrainerCheckpoint;
import dev.alpharl.trainer.cli.Main;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.metrics.MetricsJsonl;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.LogProbScorer;
import dev.alpharl.trainer.model.PeftAdapter;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.SequenceBatch;
import dev.alpharl.trainer.rollout.Completion;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.rollout.SamplingParams;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.safetensors.TensorSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA through the RL loop and SFT on the tiny model: only the adapters move, the KL reference is the base with the
 * adapters switched off (the same arrays), checkpoints and final/ hold PEFT adapters, a run resumes exactly, the
 * saved adapter reproduces the trainer's log-probs through {@code generate --adapter}, and training continues from an
 * adapter with model.adapter.
 */
class LoraTrainingTest {

    private static final String[] LORA = {
        "--model.lora.r=4", "--model.lora.alpha=8", "--model.lora.target-modules=all-linear", "--optim.lr=2e-3",
    };

    @BeforeAll
    static void model() {
        RlTrainerTest.locateModel();
    }

    private static String[] with(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void aLoraRunTrainsOnlyTheAdaptersAgainstTheBaseWithAdaptersOff(@TempDir Path tmp) throws Exception {
        TrainConfig config = RlTrainerTest.config(
                tmp,
                "lora",
                with(
                        LORA,
                        "--trainer.total-steps=3",
                        "--trainer.save-every=2",
                        "--trainer.eval-every=0",
                        "--algorithm.kl.coef=0.05",
                        "--algorithm.kl.in=loss"));
        Path run;
        try (TrainingContext ctx = TrainingContext.open(config);
                RlTrainer trainer = TrainingRun.create(ctx)) {
            QwenModel policy = trainer.policy();
            QwenModel reference = trainer.reference();
            // the reference shares the policy's base arrays: no second copy of the weights
            for (String name : policy.weights().keySet()) {
                assertThat(reference.weights().get(name))
                        .isSameAs(policy.weights().get(name));
            }
            assertThat(reference.adapters()).isNull();
            run = trainer.run();

            // the base did not move: every weight equals the file's
            try (NDManager m = NDManager.newBaseManager();
                    QwenModel base = HfCheckpoint.load(RlTrainerTest.tinyModel, m)) {
                for (Map.Entry<String, NDArray> e : base.weights().entrySet()) {
                    assertThat(policy.weights().get(e.getKey()).toFloatArray())
                            .as(e.getKey())
                            .containsExactly(e.getValue().toFloatArray());
                }
            }
            // B moved away from zero
            double maxB = policy.adapters().tensors().entrySet().stream()
                    .filter(e -> e.getKey().endsWith("lora_B.weight"))
                    .mapToDouble(e -> e.getValue().abs().max().getFloat())
                    .max()
                    .orElseThrow();
            assertThat(maxB).isGreaterThan(1e-4);

            // save → load → generate: generate --adapter final/ reproduces the trainer's log-probs of the policy
            long[] prompt = ctx.encoder().encode(ctx.train().get(0));
            SamplingParams eval = ctx.evalSampling(); // its stop ids: where generate stops
            SamplingParams greedy = new SamplingParams(8, 0, 1, 0, eval.stopIds(), eval.padId());
            Completion own;
            float[] scored;
            try (StepScope scope = StepScope.open(ctx.manager())) {
                own = RolloutEngine.local(policy)
                        .generate(List.of(prompt), greedy, new SplittableRandom(0), scope.manager())
                        .get(0);
                SequenceBatch batch = new SequenceBatch(List.of(prompt), List.of(own.tokens()), 0);
                scored = new LogProbScorer(policy)
                        .score(batch, 1.0, false, scope.manager())
                        .logp()
                        .get(0)
                        .toFloatArray();
            }
            StringWriter out = new StringWriter(), err = new StringWriter();
            List<String> args = new ArrayList<>(List.of(
                    "generate",
                    "--model",
                    RlTrainerTest.tinyModel.toString(),
                    "--adapter",
                    run.resolve("final").toString(),
                    "--prompt-ids",
                    String.join(
                            ",",
                            java.util.Arrays.stream(prompt)
                                    .mapToObj(Long::toString)
                                    .toList()),
                    "--max-new-tokens",
                    "8",
                    "--json"));
            assertThat(Main.execute(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err)))
                    .as(err.toString())
                    .isZero();
            var json = new ObjectMapper()
                    .readTree(out.toString().lines().findFirst().orElseThrow());
            long[] tokens = new ObjectMapper().convertValue(json.get("completion_ids"), long[].class);
            float[] logprobs = new ObjectMapper().convertValue(json.get("logprobs"), float[].class);
            assertThat(tokens).containsExactly(own.tokens());
            for (int i = 0; i < tokens.length; i++) {
                assertThat(logprobs[i]).as("token %d", i).isCloseTo(scored[i], within(1e-5f));
                assertThat(logprobs[i]).isCloseTo(own.logprobs()[i], within(1e-5f));
            }
        }
        // the in-loss KL is 0 while B = 0 (step 1 scores the reference's own outputs) and positive after
        List<Map<String, Object>> lines = MetricsJsonl.read(run.resolve("metrics.jsonl"));
        double kl1 = klAt(lines, 1), kl3 = klAt(lines, 3);
        assertThat(kl1).isZero();
        assertThat(kl3).isPositive();
        // checkpoints and final/ hold the adapter only, in PEFT's layout
        Path checkpoint = TrainerCheckpoint.latest(run).orElseThrow();
        for (Path dir : List.of(checkpoint, run.resolve("final"))) {
            assertThat(dir.resolve(PeftAdapter.CONFIG_FILE)).isRegularFile();
            assertThat(dir.resolve(PeftAdapter.WEIGHTS_FILE)).isRegularFile();
            assertThat(dir.resolve(TensorSource.SINGLE_FILE)).doesNotExist();
        }
        // AdamW holds the adapters' moments only
        try (var source = TensorSource.open(checkpoint.resolve("trainer-state/optimizer.safetensors"))) {
            assertThat(source.names()).allMatch(n -> n.contains(".lora_A.weight") || n.contains(".lora_B.weight"));
        }
    }

    private static double klAt(List<Map<String, Object>> lines, long step) {
        return lines.stream()
                .filter(l -> ((Number) l.get("step")).longValue() == step)
                .mapToDouble(l -> ((Number) l.get("kl")).doubleValue())
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aKilledLoraRunResumesBitForBit(@TempDir Path tmp) throws Exception {
        // LoRA with dropout: the masks are seeded per optimizer step and micro-batch, so a resume draws the same ones
        String[] lora = with(LORA, "--model.lora.dropout=0.1");
        Path full = tmp.resolve("full");
        assertThat(trainInChild(tmp, "full", lora).waitFor())
                .as(Files.readString(tmp.resolve("full.log")))
                .isZero();
        Path runDir = tmp.resolve("killed");
        Process child = trainInChild(tmp, "killed", lora);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (TrainerCheckpoint.latest(runDir).map(TrainerCheckpoint::stepOf).orElse(0L) < 4
                && child.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        child.destroyForcibly().waitFor();
        long resumedFrom =
                TrainerCheckpoint.stepOf(TrainerCheckpoint.latest(runDir).orElseThrow());
        assertThat(resumedFrom).as(Files.readString(tmp.resolve("killed.log"))).isBetween(4L, 6L);
        assertThat(trainInChild(tmp, "killed", lora).waitFor())
                .as(Files.readString(tmp.resolve("killed.log")))
                .isZero();
        assertThat(RlTrainerTest.deterministicMetrics(runDir)).isEqualTo(RlTrainerTest.deterministicMetrics(full));
        try (var a = TensorSource.open(full.resolve("final").resolve(PeftAdapter.WEIGHTS_FILE));
                var b = TensorSource.open(runDir.resolve("final").resolve(PeftAdapter.WEIGHTS_FILE))) {
            assertThat(b.names()).isEqualTo(a.names());
            for (String name : a.names()) {
                assertThat(b.readFloats(name)).as(name).containsExactly(a.readFloats(name));
            }
        }
    }

    /** {@code train} of RlTrainerTest's config with {@code overrides}, in a child JVM. */
    private static Process trainInChild(Path tmp, String name, String[] overrides) throws Exception {
        Path yamlFile = tmp.resolve(name + ".yaml");
        Files.writeString(yamlFile, RlTrainerTest.yaml(tmp, name));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=2",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "train",
                "--config",
                yamlFile.toString()));
        command.addAll(List.of(overrides));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("MKL_CBWR", "COMPATIBLE");
        return pb.start();
    }

    @Test
    void alphaRlJumpsInAdapterSpaceAsAlphaRlPredictDoesOnTheCheckpoints(@TempDir Path tmp) throws Exception {
        TrainConfig config = RlTrainerTest.config(
                tmp,
                "alpharl-lora",
                with(
                        LORA,
                        "--trainer.total-steps=8",
                        "--trainer.save-every=2",
                        "--trainer.keep-checkpoints=0",
                        "--trainer.eval-every=0",
                        "--alpharl.window=4",
                        "--alpharl.snapshot-every=2"));
        Path run = RlTrainerTest.train(config);
        var json = new ObjectMapper();
        assertThat(json.readTree(run.resolve("summary.json").toFile())
                        .path("alpharl")
                        .path("jumped")
                        .asBoolean())
                .isTrue();
        // the prediction as a merged checkpoint with its adapter beside it; final/ is the adapter (a LoRA run's layout)
        Path predicted = run.resolve("alpharl/predicted");
        assertThat(predicted.resolve("config.json")).isRegularFile();
        assertThat(predicted.resolve("adapter").resolve(PeftAdapter.CONFIG_FILE))
                .isRegularFile();
        assertThat(run.resolve("final").resolve(PeftAdapter.CONFIG_FILE)).isRegularFile();
        assertThat(run.resolve("final").resolve("config.json")).doesNotExist();
        var report = json.readTree(run.resolve("alpharl/fit-report.json").toFile());
        List<String> y = new ArrayList<>();
        report.path("windowY").forEach(v -> y.add(Double.toString(v.asDouble())));
        assertThat(y).hasSize(2);

        // alpharl predict on the run's adapter checkpoints of steps 2 and 4, with the window's y and target step
        Path offline = tmp.resolve("offline");
        Path checkpoints = run.resolve(TrainerCheckpoint.DIR);
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(
                new String[] {
                    "alpharl",
                    "predict",
                    "--base",
                    RlTrainerTest.tinyModel.toString(),
                    "--checkpoints",
                    checkpoints.resolve("step-000002") + "," + checkpoints.resolve("step-000004"),
                    "--rewards",
                    String.join(",", y),
                    "--target-step",
                    "8",
                    "--method",
                    "alpharl",
                    "--out",
                    offline.toString()
                },
                new PrintWriter(out),
                new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        try (NDManager m = NDManager.newBaseManager();
                QwenModel inRun = HfCheckpoint.load(predicted, m);
                QwenModel byCommand = HfCheckpoint.load(offline, m);
                QwenModel finalMerged = PeftAdapter.merge(
                        PeftAdapter.attach(
                                HfCheckpoint.load(RlTrainerTest.tinyModel, m), run.resolve("final"), null, 0, m),
                        m)) {
            for (String name : inRun.weights().keySet()) {
                NDArray w = inRun.weights().get(name);
                assertThat(byCommand.weights().get(name).sub(w).abs().max().getFloat())
                        .as(name)
                        .isLessThanOrEqualTo(1e-6f);
                assertThat(finalMerged.weights().get(name).sub(w).abs().max().getFloat())
                        .as("final/ adapter merged vs the merged prediction: " + name)
                        .isLessThanOrEqualTo(1e-6f);
            }
        }
        System.out.printf(
                "AlphaRL in adapter space: %d of %d matrices predicted%n",
                report.path("predicted").asInt(), report.path("matrices").size());
    }

    @Test
    void trainingContinuesFromAnAdapterWithModelAdapter(@TempDir Path tmp) throws Exception {
        String[] common = {"--trainer.total-steps=2", "--trainer.save-every=0", "--trainer.eval-every=0"};
        Path first = RlTrainerTest.train(RlTrainerTest.config(tmp, "first", with(LORA, common)));
        // the second run starts from the first one's adapter: its step-0 evaluation is the first run's final one
        Path second = RlTrainerTest.train(RlTrainerTest.config(
                tmp, "second", with(common, "--model.adapter=" + first.resolve("final"), "--optim.lr=2e-3")));
        var summaries = new ObjectMapper();
        double firstFinal = summaries
                .readTree(first.resolve("summary.json").toFile())
                .get("final_eval")
                .get("accuracy")
                .asDouble();
        double secondBase = summaries
                .readTree(second.resolve("summary.json").toFile())
                .get("base_eval")
                .get("accuracy")
                .asDouble();
        assertThat(secondBase).isEqualTo(firstFinal);
        assertThat(PeftAdapter.readSpec(second.resolve("final")))
                .isEqualTo(PeftAdapter.readSpec(first.resolve("final")));
    }

    @Test
    void sftAndPpoTrainLoraAdapters(@TempDir Path tmp) throws Exception {
        // SFT from random weights through adapters alone: the loss falls (the frozen random base limits how far)
        TrainConfig sft = RlTrainerTest.config(
                tmp,
                "sft",
                with(
                        LORA,
                        "--model.path=" + RlTrainerTest.tinyModel.resolveSibling("tiny-qwen-init"),
                        "--model.random-init=true",
                        "--trainer.total-steps=20",
                        "--trainer.eval-every=0",
                        "--rollout.prompts-per-step=32",
                        "--optim.lr=1e-2"));
        try (TrainingContext ctx = TrainingContext.open(sft)) {
            new SftTrainer(ctx).run();
        }
        List<Map<String, Object>> lines = MetricsJsonl.read(tmp.resolve("sft/metrics.jsonl"));
        double first = lines.subList(0, 5).stream()
                .mapToDouble(l -> ((Number) l.get("loss/sft")).doubleValue())
                .average()
                .orElseThrow();
        double last = lines.subList(15, 20).stream()
                .mapToDouble(l -> ((Number) l.get("loss/sft")).doubleValue())
                .average()
                .orElseThrow();
        System.out.printf(
                "LoRA SFT from random weights: loss %.3f -> %.3f (means of steps 1-5 and 16-20)%n", first, last);
        assertThat(last).isLessThan(first - 0.1);
        assertThat(tmp.resolve("sft/final").resolve(PeftAdapter.CONFIG_FILE)).isRegularFile();

        // PPO: the policy trains adapters, the critic its own full copy of the base trunk
        Path ppo = RlTrainerTest.train(RlTrainerTest.config(
                tmp,
                "ppo",
                with(
                        LORA,
                        "--algorithm.name=ppo",
                        "--trainer.total-steps=2",
                        "--trainer.save-every=0",
                        "--trainer.eval-every=0")));
        List<Map<String, Object>> ppoLines = MetricsJsonl.read(ppo.resolve("metrics.jsonl"));
        assertThat(ppoLines.get(ppoLines.size() - 1).get("loss/value")).isNotNull();
        assertThat(ppo.resolve("final").resolve(PeftAdapter.CONFIG_FILE)).isRegularFile();
    }

    @Test
    void badLoraInputFailsBeforeAnyWorkWithExitCode2(@TempDir Path tmp) throws Exception {
        Path yamlFile = tmp.resolve("c.yaml");
        Files.writeString(yamlFile, RlTrainerTest.yaml(tmp, "bad"));
        String[][] cases = {
            {
                "model.lora.target-modules: target module 'qkv_proj' matches no module",
                "--model.lora.r=4",
                "--model.lora.target-modules=q_proj,qkv_proj"
            },
            {
                "model.lora.rank-pattern: rank-pattern key 'qproj'",
                "--model.lora.r=4",
                "--model.lora.rank-pattern.qproj=2"
            },
            {"model.adapter: " + tmp.resolve("none") + " is not a directory", "--model.adapter=" + tmp.resolve("none")},
            {"alpharl.window > 0 with LoRA", "--model.lora.r=4", "--alpharl.window=2", "--alpharl.method=relex"},
        };
        for (String[] c : cases) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            List<String> args = new ArrayList<>(List.of("train", "--config", yamlFile.toString()));
            args.addAll(List.of(c).subList(1, c.length));
            int code = Main.execute(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
            assertThat(code).as(c[1] + ": " + err).isEqualTo(2);
            assertThat(err.toString()).as(c[1]).startsWith("error: ").contains(c[0]);
            assertThat(tmp.resolve("bad").resolve("metrics.jsonl")).doesNotExist();
        }
    }
}
