package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.cli.Main;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code alpharl predict} and {@code alpharl analyze} run in-process on a tiny saved run. */
class AlphaRlCommandTest {

    @TempDir
    static Path root;

    private static NDManager m;
    private static TinyRun run;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void makeRun() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
        run = new TinyRun(root, 5, 1e-4, m);
    }

    @AfterAll
    static void close() {
        m.close();
    }

    private int cli(String... args) {
        return Main.execute(args, new PrintWriter(out), new PrintWriter(err));
    }

    private static void assertSameWeights(Map<String, NDArray> actual, Map<String, NDArray> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, e) ->
                assertThat(actual.get(name).toFloatArray()).as(name).containsExactly(e.toFloatArray(), within(1e-6f)));
    }

    @Test
    void alphaRlPredictWritesALoadableModelEqualToThePredictor() throws IOException {
        Path o = root.resolve("pred-alpharl");
        int code = cli(
                "alpharl",
                "predict",
                "--base",
                run.base.toString(),
                "--checkpoints",
                run.checkpointList(4),
                "--rewards",
                "0.2,0.3,0.35,0.45",
                "--method",
                "alpharl",
                "--target-reward",
                "0.7",
                "--out",
                o.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("predicted model written to");
        try (NDManager mm = m.newSubManager();
                QwenModel predicted = HfCheckpoint.load(o, mm);
                QwenModel w0 = HfCheckpoint.load(run.base, mm);
                SnapshotRecorder recorder =
                        new SnapshotRecorder(w0.weights(), w0.projectionMatrices(), new Rank1(), mm)) {
            double[] rewards = {0.2, 0.3, 0.35, 0.45};
            List<QwenModel> cks = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                cks.add(HfCheckpoint.load(run.checkpoints.get(i), mm));
                recorder.record(i + 1, cks.get(i).weights(), rewards[i], null);
            }
            AlphaRlPredictor.Prediction expected = AlphaRlPredictor.predict(
                    recorder.snapshots(),
                    w0.weights(),
                    cks.get(3).weights(),
                    new AlphaRlPredictor.Options(0.7, AlphaRlConfig.Assembly.REPLACE),
                    mm);
            assertSameWeights(predicted.weights(), expected.weights());
            // the prediction moved the planted matrices beyond W_k
            String q = "model.layers.0.self_attn.q_proj.weight";
            assertThat(predicted
                            .weights()
                            .get(q)
                            .sub(cks.get(3).weights().get(q))
                            .abs()
                            .max()
                            .getFloat())
                    .isGreaterThan(1e-4f);
            JsonNode report =
                    new ObjectMapper().readTree(o.resolve("fit-report.json").toFile());
            assertThat(report.path("method").asText()).isEqualTo("alpharl");
            assertThat(report.path("targetReward").asDouble()).isEqualTo(0.7);
            assertThat(report.path("matrices")).hasSize(14);
            assertThat(report.path("windowSteps").toString()).isEqualTo("[1,2,3,4]");
        }
    }

    @Test
    void relexPredictWritesALoadableModelEqualToThePredictor() throws IOException {
        Path o = root.resolve("pred-relex");
        int code = cli(
                "alpharl",
                "predict",
                "--base",
                run.base.toString(),
                "--checkpoints",
                run.checkpointList(3),
                "--steps",
                "10,20,30",
                "--method",
                "relex",
                "--target-step",
                "100",
                "--out",
                o.toString());
        assertThat(code).as(err.toString()).isZero();
        try (NDManager mm = m.newSubManager();
                QwenModel predicted = HfCheckpoint.load(o, mm);
                QwenModel w0 = HfCheckpoint.load(run.base, mm);
                RelexTrajectory t = RelexTrajectory.create(root.resolve("relex-ref"), w0.weights(), mm)) {
            for (int i = 0; i < 3; i++) {
                try (QwenModel ck = HfCheckpoint.load(run.checkpoints.get(i), mm)) {
                    t.append(10L * (i + 1), ck.weights());
                }
            }
            assertSameWeights(
                    predicted.weights(), RelexPredictor.predict(t, 100, mm).weights());
            // the planted trajectory is linear in the step (label 10·t): θ̂(100) ≈ W_0 + 10·0.01·u vᵀ. RELEX's
            // projection denoises: it beats the naive extrapolation 10·(W_1 − W_0), which carries W_1's noise.
            try (QwenModel w1 = HfCheckpoint.load(run.checkpoints.get(0), mm)) {
                String q = "model.layers.1.mlp.down_proj.weight";
                double[][] uv = run.directions.get(q);
                int cols = uv[1].length;
                float[] p = predicted.weights().get(q).toFloatArray();
                float[] b = w0.weights().get(q).toFloatArray();
                float[] one = w1.weights().get(q).toFloatArray();
                double err2 = 0, naive2 = 0, ref2 = 0;
                for (int i = 0; i < p.length; i++) {
                    double expected = 10 * 0.01 * uv[0][i / cols] * uv[1][i % cols];
                    err2 += Math.pow(p[i] - b[i] - expected, 2);
                    naive2 += Math.pow(10 * (one[i] - b[i]) - expected, 2);
                    ref2 += expected * expected;
                }
                assertThat(Math.sqrt(err2 / ref2)).isLessThan(0.1).isLessThan(Math.sqrt(naive2 / ref2) / 2);
            }
        }
        assertThat(Files.list(root).map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".relex"));
        JsonNode report =
                new ObjectMapper().readTree(o.resolve("fit-report.json").toFile());
        assertThat(report.path("targetStep").asLong()).isEqualTo(100);
    }

    @Test
    void badInputExitsWithTwoAndAClearMessage() {
        String base = run.base.toString();
        String cks = run.checkpointList(3);
        String o = root.resolve("never").toString();
        assertBad(
                "is not a directory",
                "alpharl",
                "predict",
                "--base",
                root.resolve("missing").toString(),
                "--checkpoints",
                cks,
                "--rewards",
                "1,2,3",
                "--method",
                "alpharl",
                "--target-reward",
                "1",
                "--out",
                o);
        assertBad(
                "--rewards has 2 value(s) but --checkpoints has 3",
                "alpharl",
                "predict",
                "--base",
                base,
                "--checkpoints",
                cks,
                "--rewards",
                "1,2",
                "--method",
                "alpharl",
                "--target-reward",
                "1",
                "--out",
                o);
        assertBad(
                "needs --rewards",
                "alpharl",
                "predict",
                "--base",
                base,
                "--checkpoints",
                cks,
                "--method",
                "alpharl",
                "--target-reward",
                "1",
                "--out",
                o);
        assertBad(
                "needs --target-step",
                "alpharl",
                "predict",
                "--base",
                base,
                "--checkpoints",
                cks,
                "--method",
                "relex",
                "--out",
                o);
        assertBad(
                "mutually exclusive",
                "alpharl",
                "predict",
                "--base",
                base,
                "--checkpoints",
                cks,
                "--rewards",
                "1,2,3",
                "--method",
                "alpharl",
                "--target-reward",
                "1",
                "--target-step",
                "9",
                "--out",
                o);
        assertBad(
                "--steps has 2 value(s)",
                "alpharl",
                "predict",
                "--base",
                base,
                "--checkpoints",
                cks,
                "--steps",
                "1,2",
                "--method",
                "relex",
                "--target-step",
                "9",
                "--out",
                o);
        assertBad(
                "must increase strictly",
                "alpharl",
                "predict",
                "--base",
                base,
                "--checkpoints",
                cks,
                "--steps",
                "1,3,2",
                "--method",
                "relex",
                "--target-step",
                "9",
                "--out",
                o);
        assertBad(
                "eval.yaml", "alpharl", "analyze", "--base", base, "--checkpoints", cks, "--eval-config", "eval.yaml");
        assertBad(
                "--metrics",
                "alpharl",
                "analyze",
                "--base",
                base,
                "--checkpoints",
                run.checkpointList(3),
                "--metrics",
                root.resolve("no-metrics.jsonl").toString(),
                "--out",
                root.resolve("never").toString());
        assertThat(Files.exists(root.resolve("never"))).isFalse();
    }

    private void assertBad(String message, String... args) {
        err.getBuffer().setLength(0);
        assertThat(cli(args)).as(String.join(" ", args)).isEqualTo(2);
        assertThat(err.toString()).contains(message);
    }

    @Test
    void analyzeReportsRankOneStructureOfThePlantedRun() throws IOException {
        Path o = root.resolve("analysis");
        Path metrics = root.resolve("metrics.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int s = 1; s <= 5; s++) {
            lines.append("{\"step\":")
                    .append(s)
                    .append(",\"reward/mean\":")
                    .append(0.1 * s)
                    .append("}\n");
        }
        Files.writeString(metrics, lines);
        int code = cli(
                "alpharl",
                "analyze",
                "--base",
                run.base.toString(),
                "--checkpoints",
                run.checkpointList(5),
                "--metrics",
                metrics.toString(),
                "--out",
                o.toString());
        assertThat(code).as(err.toString()).isZero();
        JsonNode r = new ObjectMapper()
                .readTree(o.resolve(Rank1AnalysisWriter.JSON_FILE).toFile());
        assertThat(r.path("steps").toString()).isEqualTo("[1,2,3,4,5]");
        assertThat(r.path("ySource").asText()).isEqualTo("step");
        assertThat(r.path("recovery").isNull()).isTrue();
        assertThat(r.path("recoveryNote").asText()).contains("not evaluated");
        JsonNode s = r.path("summary");
        assertThat(s.path("matrices").asInt()).isEqualTo(14);
        assertThat(s.path("medianEnergyFraction").asDouble()).isGreaterThan(0.9);
        assertThat(s.path("medianCoefficientR2OutOfSample").asDouble()).isGreaterThan(0.99);
        assertThat(s.path("medianCoefficientEndpointError").asDouble()).isLessThan(0.01);
        assertThat(s.path("law2bPassShare").asDouble()).isEqualTo(1.0);
        assertThat(r.path("yReward").size()).isEqualTo(5);
        assertThat(r.path("yReward").get(2).asDouble()).isCloseTo(0.3, within(1e-12));
        assertThat(r.path("coherence").path("regime").asText()).isEqualTo("drift");
        for (String direction : List.of("windowDirection", "finalDirection")) {
            JsonNode d = r.path(direction);
            assertThat(d.path("law2PassShare").asDouble()).isEqualTo(1.0);
            assertThat(d.path("medianOvershoot").asDouble()).isCloseTo(1, within(0.01));
            assertThat(d.path("medianRewardOracleRatio").asDouble()).isCloseTo(1, within(0.01));
        }
        JsonNode verdict = r.path("verdict");
        assertThat(verdict.path("passes").asBoolean()).isTrue();
        assertThat(verdict.path("rank1").isNull()).isTrue(); // no evaluator
        assertThat(r.path("rankRecovery").isNull()).isTrue();
        assertThat(r.path("matrices")
                        .get(0)
                        .path("finalDirection")
                        .path("coefficients")
                        .size())
                .isEqualTo(5);
        assertThat(out.toString()).contains("increments drift", "laws pass");
        assertThat(Files.readString(o.resolve(Rank1AnalysisWriter.MARKDOWN_FILE)))
                .contains(
                        "# Rank-1 analysis",
                        "recovery not evaluated",
                        "model.layers.0.self_attn.q_proj.weight",
                        "## Verdict: pass",
                        "## Coherence of successive increments");
    }
}
