package dev.alpharl.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.app.TrainingRun;
import dev.alpharl.trainer.checkpoint.TrainerCheckpoint;
import dev.alpharl.trainer.cli.Main;
import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.metrics.MetricsJsonl;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end behaviour of the RL loop on the project's tiny base model (models/tiny-qwen). */
class RlTrainerTest {

    static Path tinyModel;

    @BeforeAll
    static void locateModel() {
        TorchRuntime.init();
        Path fromModule = Path.of("..", "models", "tiny-qwen").toAbsolutePath().normalize();
        tinyModel = Files.isDirectory(fromModule)
                ? fromModule
                : Path.of("models", "tiny-qwen").toAbsolutePath();
    }

    /** A small GRPO config on the tiny model and arithmetic prompts, writing into {@code out}. */
    static String yaml(Path out, String name) {
        return """
                run: {name: %s, output-dir: %s, seed: 3}
                model: {path: %s, device: cpu}
                data:
                  train: {kind: synthetic, task: arithmetic, size: 500, seed: 1, split: train, max-digits: 2}
                  eval: {kind: synthetic, task: arithmetic, size: 24, seed: 2, split: held-out, max-digits: 2}
                rollout: {group-size: 4, prompts-per-step: 4, max-new-tokens: 6, eval-temperature: 0.0}
                rewards: [{name: math, options: {style: gsm8k}}]
                optim: {lr: 2.0e-5, weight-decay: 0.0}
                trainer: {total-steps: 6, micro-batch-size: 8, eval-every: 3, save-every: 2, keep-checkpoints: 2}
                """.formatted(
                name, out.toString().replace("\\", "/"), tinyModel.toString().replace("\\", "/"));
    }

    static TrainConfig config(Path out, String name, String... overrides) {
        return ConfigLoader.parse(TrainConfig.class, yaml(out, name), "test.yaml", List.of(overrides));
    }

    static Path train(TrainConfig config) throws Exception {
        try (TrainingContext ctx = TrainingContext.open(config);
                RlTrainer trainer = TrainingRun.create(ctx)) {
            return trainer.run();
        }
    }

    /** {@code train} of {@link #yaml} named {@code name} in a child JVM (log: {@code tmp/name.log}). */
    static Process trainInChild(Path tmp, String name) throws Exception {
        Path yamlFile = tmp.resolve(name + ".yaml");
        Files.writeString(yamlFile, yaml(tmp, name));
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dai.djl.offline=true",
                        "-Dai.djl.pytorch.num_threads=2",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "train",
                        "--config",
                        yamlFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("MKL_CBWR", "COMPATIBLE");
        return pb.start();
    }

    /** The metrics of each step without the wall-clock and process ones (time, timings, throughput, memory). */
    static List<Map<String, Object>> deterministicMetrics(Path runDir) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> line : MetricsJsonl.read(runDir.resolve("metrics.jsonl"))) {
            Map<String, Object> kept = new LinkedHashMap<>();
            line.forEach((k, v) -> {
                if (!k.equals("time_s")
                        && !k.startsWith("timing/")
                        && !k.startsWith("throughput/")
                        && !k.startsWith("memory/")) {
                    kept.put(k, v);
                }
            });
            out.add(kept);
        }
        return out;
    }

    @Test
    void aKilledRunResumesToTheSameMetricsAsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        // every run in a fresh child JVM with MKL's conditional bitwise reproducibility on: otherwise the test JVM's
        // own state (memory alignment after earlier tests) can change the last bits of a reduction
        Path full = tmp.resolve("full");
        assertThat(trainInChild(tmp, "full").waitFor())
                .as(Files.readString(tmp.resolve("full.log")))
                .isZero();
        assertThat(deterministicMetrics(full)).hasSize(7); // step 0 (base eval) + 6 steps
        assertThat(full.resolve("summary.json")).exists();
        assertThat(full.resolve("final/model.safetensors")).exists();

        // the same run, killed with SIGKILL once its step-4 checkpoint is on disk
        Path runDir = tmp.resolve("killed");
        Process child = trainInChild(tmp, "killed");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (TrainerCheckpoint.latest(runDir).map(TrainerCheckpoint::stepOf).orElse(0L) < 4
                && child.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
        assertThat(TrainerCheckpoint.latest(runDir))
                .as(Files.readString(tmp.resolve("killed.log")))
                .isPresent();
        long resumedFrom =
                TrainerCheckpoint.stepOf(TrainerCheckpoint.latest(runDir).orElseThrow());
        assertThat(resumedFrom).isBetween(4L, 6L);

        assertThat(trainInChild(tmp, "killed").waitFor())
                .as(Files.readString(tmp.resolve("killed.log")))
                .isZero();
        assertThat(deterministicMetrics(runDir)).isEqualTo(deterministicMetrics(full));
        try (NDManager m = NDManager.newBaseManager()) {
            QwenModel a = HfCheckpoint.load(full.resolve("final"), m),
                    b = HfCheckpoint.load(runDir.resolve("final"), m);
            for (Map.Entry<String, NDArray> e : a.weights().entrySet()) {
                assertThat(b.weights().get(e.getKey()).toFloatArray())
                        .as(e.getKey())
                        .containsExactly(e.getValue().toFloatArray());
            }
        }
    }

    /**
     * A run stopped at step 2 and resumed reports the whole run in summary.json: its counters equal an uninterrupted
     * run's, and its wall time is the first part's (as checkpointed) plus the second part's. A second reward that
     * fails on every sample (countdown without its numbers field) makes the error counter non-trivial.
     */
    @Test
    void aResumedRunsSummaryCoversTheWholeRun(@TempDir Path tmp) throws Exception {
        String[] overrides = {"--trainer.total-steps=4", "--trainer.save-every=0", "--trainer.eval-every=0"};
        Map<String, Object> full = summaryOf(train(withFailingReward(tmp, "full", overrides)));

        TrainConfig config = withFailingReward(tmp, "parts", overrides);
        try (TrainingContext ctx = TrainingContext.open(config);
                RlTrainer trainer = TrainingRun.create(ctx)) {
            trainer.addCallback(new TrainingCallback() {
                @Override
                public boolean afterStep(StepEnd end) {
                    if (end.step() == 2) {
                        trainer.requestStop(); // as SIGTERM does: checkpoint after this step, then return
                    }
                    return false;
                }
            });
            trainer.run();
            assertThat(trainer.finished()).isFalse();
        }
        Path runDir = config.run().runDir();
        Path checkpoint = TrainerCheckpoint.latest(runDir).orElseThrow();
        assertThat(TrainerCheckpoint.stepOf(checkpoint)).isEqualTo(2);
        double firstPart = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(checkpoint.resolve("trainer-state/state.json").toFile())
                .path("progress")
                .path("elapsedSeconds")
                .asDouble();
        long t0 = System.nanoTime();
        Map<String, Object> resumed = summaryOf(train(config));
        double secondPart = (System.nanoTime() - t0) / 1e9;

        for (String key : List.of("steps", "skipped_steps", "reward_errors", "reward_timeouts")) {
            assertThat(resumed.get(key)).as(key).isEqualTo(full.get(key));
        }
        // every countdown call fails: 4 steps x 16 rollouts, plus the evaluations' calls
        assertThat(((Number) full.get("reward_errors")).longValue()).isGreaterThanOrEqualTo(4 * 16);
        double wall = ((Number) resumed.get("wall_time_s")).doubleValue();
        assertThat(firstPart).isPositive();
        assertThat(wall).isGreaterThan(firstPart).isLessThan(firstPart + secondPart);
    }

    private static TrainConfig withFailingReward(Path out, String name, String... overrides) {
        String yaml = yaml(out, name)
                .replace(
                        "rewards: [{name: math, options: {style: gsm8k}}]",
                        "rewards: [{name: math, options: {style: gsm8k}}, {name: countdown, weight: 0.5}]");
        return ConfigLoader.parse(TrainConfig.class, yaml, "test.yaml", List.of(overrides));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summaryOf(Path runDir) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(runDir.resolve("summary.json").toFile(), Map.class);
    }

    @Test
    void aHalfWrittenCheckpointIsIgnoredOnResume(@TempDir Path tmp) throws Exception {
        Path run = train(config(tmp, "r", "--trainer.total-steps=4"));
        Path checkpoints = run.resolve(TrainerCheckpoint.DIR);
        // a crash while writing step 6 leaves a temporary sibling; a directory without trainer-state is incomplete too
        Files.createDirectories(checkpoints.resolve(".step-000006.tmp-123-456").resolve("trainer-state"));
        Files.createDirectories(checkpoints.resolve("step-000008"));
        assertThat(TrainerCheckpoint.latest(run).map(TrainerCheckpoint::stepOf)).contains(4L);
        Path resumed = train(config(tmp, "r", "--trainer.total-steps=6"));
        List<Map<String, Object>> lines = deterministicMetrics(resumed);
        assertThat(lines.stream().map(l -> ((Number) l.get("step")).longValue()).toList())
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void anAdaptiveKlInTheLossFollowsTheKlMeasuredDuringTheUpdate(@TempDir Path tmp) throws Exception {
        // β_{t+1} = β_t·(1 + clip(KL_t/target − 1, ±0.2)·n/horizon) with KL_t the in-loss KL of step t and n = 16
        // sequences; a target far above any KL of three steps gives the factor 1 − 0.2·16/100 at every step (the
        // record shows β after the step's controller update)
        Path run = train(config(
                tmp,
                "adaptive",
                "--trainer.total-steps=3",
                "--trainer.save-every=0",
                "--trainer.eval-every=0",
                "--data.eval=null",
                "--algorithm.kl.coef=0.1",
                "--algorithm.kl.in=loss",
                "--algorithm.kl.adaptive=true",
                "--algorithm.kl.target=1000",
                "--algorithm.kl.horizon=100"));
        List<Map<String, Object>> lines = MetricsJsonl.read(run.resolve("metrics.jsonl"));
        double[] beta = lines.stream()
                .mapToDouble(l -> ((Number) l.get("kl/beta")).doubleValue())
                .toArray();
        double factor = 1 - 0.2 * 16 / 100.0;
        assertThat(beta).hasSize(3);
        for (int t = 0; t < 3; t++) {
            assertThat(beta[t]).as("β after step %d", t + 1).isCloseTo(0.1 * Math.pow(factor, t + 1), within(1e-12));
        }
    }

    @Test
    void microBatchSizeAndTokenBudgetDoNotChangeTheUpdate(@TempDir Path tmp) throws Exception {
        // AdamW's eps is raised so that the update is Lipschitz in the gradient: with eps = 1e-8 a gradient entry of
        // ±1e-12 (summation-order noise) would move its weight by ±lr either way
        String[] common = {
            "--trainer.total-steps=2",
            "--trainer.save-every=0",
            "--trainer.eval-every=0",
            "--data.eval=null",
            "--optim.lr=1e-3",
            "--optim.eps=1e-3"
        };
        Path reference = train(config(tmp, "mb8", with(common, "--trainer.micro-batch-size=8")));
        // consecutive rows, 2 at a time; then length-sorted rows packed by token budgets of a few and of many rows
        assertSameUpdate(reference, train(config(tmp, "mb2", with(common, "--trainer.micro-batch-size=2"))));
        assertSameUpdate(
                reference, train(config(tmp, "tok40", with(common, "--trainer.max-tokens-per-micro-batch=40"))));
        assertSameUpdate(
                reference, train(config(tmp, "tok200", with(common, "--trainer.max-tokens-per-micro-batch=200"))));
    }

    /**
     * A cap on the sequences decoded at once (continuous batching: 4-sample groups let in one or two at a time as
     * others finish) samples the same completions for the same seed, so the run is the same: identical rewards and
     * completion lengths at every step, and the same update.
     */
    @Test
    void aDecodeCapDoesNotChangeTheRun(@TempDir Path tmp) throws Exception {
        String[] common = {
            "--trainer.total-steps=2",
            "--trainer.save-every=0",
            "--trainer.eval-every=0",
            "--data.eval=null",
            "--optim.lr=1e-3",
            "--optim.eps=1e-3",
            "--rollout.max-new-tokens=12"
        };
        Path all = train(config(tmp, "all", common));
        for (int cap : new int[] {4, 9}) {
            Path capped = train(config(tmp, "cap" + cap, with(common, "--rollout.max-num-seqs=" + cap)));
            List<Map<String, Object>> a = deterministicMetrics(capped), b = deterministicMetrics(all);
            for (int i = 0; i < b.size(); i++) {
                for (String key : List.of("reward/mean", "response_length/mean")) {
                    assertThat(a.get(i).get(key))
                            .as("cap %d, %s at step %d", cap, key, i + 1)
                            .isEqualTo(b.get(i).get(key));
                }
            }
            assertSameUpdate(all, capped);
        }
    }

    private static String[] with(String[] common, String extra) {
        List<String> all = new ArrayList<>(List.of(common));
        all.add(extra);
        return all.toArray(String[]::new);
    }

    private static void assertSameUpdate(Path b, Path a) throws Exception {
        double worst = 0, scale = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            QwenModel base = HfCheckpoint.load(tinyModel, m);
            QwenModel wa = HfCheckpoint.load(a.resolve("final"), m), wb = HfCheckpoint.load(b.resolve("final"), m);
            for (String name : wa.weights().keySet()) {
                NDArray da = wa.weights().get(name).sub(base.weights().get(name));
                NDArray db = wb.weights().get(name).sub(base.weights().get(name));
                worst = Math.max(worst, da.sub(db).abs().max().getFloat());
                scale = Math.max(scale, da.abs().max().getFloat());
            }
        }
        assertThat(scale).as("the updates moved the weights").isGreaterThan(1e-5);
        assertThat(worst)
                .as("%s: max |Δ − Δ_mb8| against max |Δ| = %s", a, scale)
                .isLessThan(1e-4 * scale);
        // the accumulated gradient itself: the pre-clip global norm and the loss of each step agree
        List<Map<String, Object>> ma = deterministicMetrics(a), mb = deterministicMetrics(b);
        for (int i = 0; i < ma.size(); i++) {
            for (String key : List.of("grad_norm", "loss/policy", "entropy")) {
                double x = ((Number) ma.get(i).get(key)).doubleValue(),
                        y = ((Number) mb.get(i).get(key)).doubleValue();
                assertThat(x)
                        .as("%s: %s at step %d", a, key, i + 1)
                        .isCloseTo(y, org.assertj.core.api.Assertions.within(1e-5 * Math.abs(x) + 1e-6));
            }
        }
    }

    @Test
    void badInputFailsBeforeAnyWorkWithExitCode2(@TempDir Path tmp) throws Exception {
        Path yamlFile = tmp.resolve("c.yaml");
        Files.writeString(yamlFile, yaml(tmp, "bad"));
        // {expected message, overrides...}
        String[][] cases = {
            {"model.path: " + tmp.resolve("missing") + " is not a directory", "--model.path=" + tmp.resolve("missing")},
            {"data.train", "--data.train.task=sudoku"},
            {"unknown reward 'maths'", "--rewards.0.name=maths"},
            {"rollout.group-size must be >= 1, got 0", "--rollout.group-size=0"},
            {"alpharl.validate: true needs data.validation", "--alpharl.window=2", "--alpharl.validate=true"},
            {
                "data.validation: is the same source as data.eval",
                "--data.validation.kind=synthetic",
                "--data.validation.task=arithmetic",
                "--data.validation.size=24",
                "--data.validation.seed=2",
                "--data.validation.split=held-out",
                "--data.validation.max-digits=2"
            },
        };
        for (String[] c : cases) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            List<String> args = new ArrayList<>(List.of("train", "--config", yamlFile.toString()));
            args.addAll(List.of(c).subList(1, c.length));
            int code = Main.execute(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
            assertThat(code).as(c[1] + ": " + err).isEqualTo(2);
            assertThat(err.toString()).as(c[1]).startsWith("error: ").contains(c[0]);
            assertThat(tmp.resolve("bad").resolve("metrics.jsonl"))
                    .as("no work started")
                    .doesNotExist();
        }
    }

    @Test
    void anAlphaRlWindowWritesAPredictedModelThatLoadsAndIsEvaluated(@TempDir Path tmp) throws Exception {
        for (String method : new String[] {"alpharl", "relex"}) {
            Path run = train(config(
                    tmp,
                    method,
                    "--trainer.total-steps=12",
                    "--trainer.save-every=0",
                    "--alpharl.window=4",
                    "--alpharl.method=" + method));
            var summary = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(run.resolve("summary.json").toFile());
            assertThat(summary.get("steps").asLong())
                    .as("training stops at the window")
                    .isEqualTo(4);
            assertThat(summary.get("alpharl").get("method").asText()).isEqualTo(method);
            assertThat(summary.get("alpharl").get("target_step").asLong()).isEqualTo(12);
            assertThat(summary.get("final_eval").get("n").asInt()).isEqualTo(24);
            assertThat(run.resolve("alpharl/fit-report.json")).exists();
            try (NDManager m = NDManager.newBaseManager()) {
                QwenModel predicted = HfCheckpoint.load(run.resolve("alpharl/predicted"), m);
                QwenModel fin = HfCheckpoint.load(run.resolve("final"), m);
                QwenModel base = HfCheckpoint.load(tinyModel, m);
                double moved = 0;
                for (String name : predicted.projectionMatrices()) {
                    assertThat(fin.weights().get(name).toFloatArray())
                            .containsExactly(predicted.weights().get(name).toFloatArray());
                    moved = Math.max(
                            moved,
                            predicted
                                    .weights()
                                    .get(name)
                                    .sub(base.weights().get(name))
                                    .abs()
                                    .max()
                                    .getFloat());
                }
                assertThat(moved)
                        .as("the prediction moved the weights away from W_0")
                        .isGreaterThan(0.0);
            }
        }
    }

    @Test
    void sigtermWritesACheckpointAndTheRunResumesFromIt(@TempDir Path tmp) throws Exception {
        Path yamlFile = tmp.resolve("t.yaml");
        Files.writeString(yamlFile, yaml(tmp, "term"));
        Path runDir = tmp.resolve("term");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Dai.djl.offline=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        "train",
                        "--config",
                        yamlFile.toString(),
                        "--trainer.total-steps=400",
                        "--trainer.save-every=0",
                        "--trainer.eval-every=0")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("term.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (countLines(runDir.resolve("metrics.jsonl")) < 3 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        child.destroy(); // SIGTERM: the shutdown hook asks the loop to checkpoint and stop
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(tmp.resolve("term.log"));
        assertThat(TrainerCheckpoint.latest(runDir)).as(log).isPresent();
        long saved = TrainerCheckpoint.stepOf(TrainerCheckpoint.latest(runDir).orElseThrow());
        assertThat(saved).isBetween(2L, 399L);
        assertThat(log).contains("stop requested");
        Path resumed = train(config(
                tmp,
                "term",
                "--trainer.total-steps=" + (saved + 1),
                "--trainer.save-every=0",
                "--trainer.eval-every=0"));
        assertThat(MetricsJsonl.read(resumed.resolve("metrics.jsonl")).stream()
                        .map(l -> ((Number) l.get("step")).longValue())
                        .filter(st -> st > 0)
                        .toList())
                .as("each step once, continued after the checkpoint")
                .hasSize((int) saved + 1);
    }

    private static long countLines(Path file) throws java.io.IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var lines = Files.lines(file)) {
            return lines.count();
        }
    }

    @Test
    void evalCommandReportsMeanAtNOfAModelDirectory(@TempDir Path tmp) throws Exception {
        Path yamlFile = tmp.resolve("e.yaml");
        Files.writeString(yamlFile, yaml(tmp, "e"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(
                new String[] {"eval", "--model", tinyModel.toString(), "--config", yamlFile.toString(), "--n", "1"},
                new PrintWriter(out),
                new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        var result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
        assertThat(result.get("n").asInt()).isEqualTo(24);
        assertThat(result.get("accuracy").asDouble())
                .isEqualTo(result.get("correct").asInt() / 24.0);
        // the same evaluation as the trainer's step-0 evaluation of the same model
        Path run = train(config(tmp, "e", "--trainer.total-steps=1", "--trainer.save-every=0"));
        assertThat(MetricsJsonl.read(run.resolve("metrics.jsonl")).get(0).get("eval/accuracy"))
                .isEqualTo(result.get("accuracy").asDouble());
        // --model is evaluated even when the config starts its runs from random weights (an sft config)
        StringWriter out2 = new StringWriter();
        assertThat(Main.execute(
                        new String[] {
                            "eval",
                            "--model",
                            tinyModel.toString(),
                            "--config",
                            yamlFile.toString(),
                            "--n",
                            "1",
                            "--model.random-init=true"
                        },
                        new PrintWriter(out2),
                        new PrintWriter(err)))
                .as(err.toString())
                .isZero();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(out2.toString())
                        .get("accuracy")
                        .asDouble())
                .isEqualTo(result.get("accuracy").asDouble());
    }

    @Test
    void sftFromRandomWeightsLowersTheLossAndWritesAModel(@TempDir Path tmp) throws Exception {
        Path init = tinyModel.resolveSibling("tiny-qwen-init");
        TrainConfig config = config(
                tmp,
                "sft",
                "--model.path=" + init,
                "--model.random-init=true",
                "--trainer.total-steps=30",
                "--trainer.eval-every=0",
                "--rollout.prompts-per-step=32",
                "--optim.lr=3e-3");
        try (TrainingContext ctx = TrainingContext.open(config)) {
            new SftTrainer(ctx).run();
        }
        List<Map<String, Object>> lines = MetricsJsonl.read(tmp.resolve("sft/metrics.jsonl"));
        double first = ((Number) lines.get(0).get("loss/sft")).doubleValue();
        double last = ((Number) lines.get(lines.size() - 1).get("loss/sft")).doubleValue();
        assertThat(first).as("random weights: about ln(50)").isBetween(3.0, 4.5);
        assertThat(last).isLessThan(first * 0.7);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(HfCheckpoint.load(tmp.resolve("sft/final"), m).parameterCount())
                    .isEqualTo(794240);
        }
    }
}
