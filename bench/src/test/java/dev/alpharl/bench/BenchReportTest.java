package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.alpharl.bench.BenchReport.Row;
import dev.alpharl.bench.BenchReport.Verdict;
import dev.alpharl.trainer.alpharl.SnapshotAccuracy;
import dev.alpharl.trainer.model.QwenConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static final BenchSettings SETTINGS =
            new BenchSettings(QwenConfig.tiny("qwen3", 64, 128, 2, 4, 2, 16, 100, true), 4, 8, 8, 3, 1, 1, 1e-4, 0.01);
    private static final double FLOPS = SETTINGS.trainFlops().total();
    private static final double JVM_OPTIMIZER_SECONDS = 0.05;

    /** JVM measurements whose train step runs at {@code fractionOfGemm} of a 200 GFLOP/s GEMM. */
    private static JvmBench.Result jvm(double stepSeconds, double tokensPerSecond) {
        return jvm(
                stepSeconds,
                tokensPerSecond,
                snapshots(0.05, new SnapshotAccuracy.FitAgreement(2e-6, 3e-6, 1e-8, 4, List.of())));
    }

    private static JvmBench.Result jvm(double stepSeconds, double tokensPerSecond, SnapshotMeasurement snapshots) {
        return new JvmBench.Result(
                new Measurements(
                        "DJL",
                        2,
                        200,
                        tokensPerSecond,
                        stepSeconds,
                        List.of(4.6, 4.5, 4.4, 4.3),
                        2.0,
                        500_000_000L,
                        JVM_OPTIMIZER_SECONDS),
                snapshots,
                520_000_000L,
                phases(),
                0.01);
    }

    private static Map<String, Double> phases() {
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("load", 300.0);
        phases.put("rollout", 450.0);
        phases.put("train", 500.0);
        phases.put("snapshots", 520.0);
        return phases;
    }

    /** Warm snapshots of {@code seconds}, 4 matrices, accurate to 1e-10 in the vectors. */
    private static SnapshotMeasurement snapshots(double seconds, SnapshotAccuracy.FitAgreement fit) {
        return new SnapshotMeasurement(
                seconds, 0.2, 1.5, 4, 3.5, 0, 1e-6, 2e-8, 1 - 1e-10, 1 - 1e-12, 1 - 2e-10, 1 - 3e-12, 1e-4, 0.93, 0.98,
                fit, List.of());
    }

    @Test
    void aWarmSnapshotIsJudgedAsAShareOfATrainStepAndTheFitAgainstTheExactOne() {
        SnapshotAccuracy.FitAgreement close = new SnapshotAccuracy.FitAgreement(2e-6, 3e-6, 1e-8, 4, List.of());
        Map<String, Row> cheap = rows(new BenchReport(SETTINGS, jvm(5.0, 900, snapshots(0.09, close)), null));
        assertThat(cheap.get("alpharl_snapshot").jvm()).isEqualTo("0.090 (1.8%); cold 0.200");
        assertThat(cheap.get("alpharl_snapshot").verdict()).isEqualTo(Verdict.PASS);
        assertThat(cheap.get("alpharl_snapshot_exact").jvm()).isEqualTo("1.500 (30%)");
        assertThat(cheap.get("alpharl_snapshot_accuracy").jvm())
                .isEqualTo("1.0e-06/2.0e-08, 1.0e-10/1.0e-12, 2.0e-10/3.0e-12; 1.0e-04 (0.930, 0.9800); 3.5 steps, "
                        + "0 fallbacks");
        assertThat(cheap.get("alpharl_fit").jvm()).isEqualTo("2.0e-06, 3.0e-06, 1.0e-08 (4 matrices)");
        assertThat(cheap.get("alpharl_fit").verdict()).isEqualTo(Verdict.PASS);

        Map<String, Row> costly = rows(new BenchReport(SETTINGS, jvm(5.0, 900, snapshots(0.11, close)), null));
        assertThat(costly.get("alpharl_snapshot").verdict()).isEqualTo(Verdict.FAIL); // 2.2% of the step

        SnapshotAccuracy.FitAgreement moved = new SnapshotAccuracy.FitAgreement(2e-6, 2e-4, 1e-8, 4, List.of());
        assertThat(rows(new BenchReport(SETTINGS, jvm(5.0, 900, snapshots(0.09, moved)), null))
                        .get("alpharl_fit")
                        .verdict())
                .isEqualTo(Verdict.FAIL);
        SnapshotAccuracy.FitAgreement split = new SnapshotAccuracy.FitAgreement(2e-6, 3e-6, 1e-8, 3, List.of("w"));
        Map<String, Row> splitRows = rows(new BenchReport(SETTINGS, jvm(5.0, 900, snapshots(0.09, split)), null));
        assertThat(splitRows.get("alpharl_fit").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(splitRows.get("alpharl_fit").jvm()).endsWith("(3 matrices, 1 decided otherwise)");
    }

    private static ReferenceRun.Result reference(
            double stepSeconds, double tokensPerSecond, double logitsError, double lastLoss) {
        return reference(stepSeconds, tokensPerSecond, logitsError, lastLoss, 2 * JVM_OPTIMIZER_SECONDS);
    }

    private static ReferenceRun.Result reference(
            double stepSeconds, double tokensPerSecond, double logitsError, double lastLoss, double optimizerSeconds) {
        return new ReferenceRun.Result(
                new Measurements(
                        "PyTorch eager",
                        2,
                        220,
                        tokensPerSecond,
                        stepSeconds,
                        List.of(4.6, 4.5, 4.4, lastLoss),
                        2.0000001,
                        400_000_000L,
                        optimizerSeconds),
                "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
                1e-7,
                logitsError,
                0.02);
    }

    private static Map<String, Row> rows(BenchReport report) {
        return report.rows().stream().collect(Collectors.toMap(Row::key, Function.identity()));
    }

    @Test
    void speedRatiosAreTheJvmsSpeedOverTheReferencesAgainstTheTargets() {
        double step = FLOPS / 160e9; // 160 GFLOP/s = 80% of the JVM's GEMM
        Map<String, Row> pass = rows(new BenchReport(SETTINGS, jvm(step, 900), reference(2.0 * step, 500, 1e-7, 4.3)));
        assertThat(pass.get("train_step").ratio()).isEqualTo("2.00×");
        assertThat(pass.get("train_step").verdict()).isEqualTo(Verdict.PASS);
        assertThat(pass.get("rollout").ratio()).isEqualTo("1.80×");
        assertThat(pass.get("rollout").verdict()).isEqualTo(Verdict.PASS);
        assertThat(pass.get("train_flop_rate").jvm()).isEqualTo("160.0 (80%)");
        assertThat(pass.get("train_flop_rate").verdict()).isEqualTo(Verdict.PASS);
        assertThat(pass.get("gemm").verdict()).isEqualTo(Verdict.NONE);
        assertThat(pass.get("peak_rss").ratio()).isEqualTo("1.25×");

        // 1.7× on the train step, 1.4× on the rollout, 65% of the GEMM: all three miss
        double slow = FLOPS / 130e9;
        Map<String, Row> fail = rows(new BenchReport(SETTINGS, jvm(slow, 700), reference(1.7 * slow, 500, 1e-7, 4.3)));
        assertThat(fail.get("train_step").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(fail.get("rollout").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(fail.get("train_flop_rate").jvm()).isEqualTo("130.0 (65%)");
        assertThat(fail.get("train_flop_rate").verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void optimizerStepPassesWithinOnePointTwoTimesTheReferencesTime() {
        double step = FLOPS / 160e9;
        Row faster = rows(new BenchReport(SETTINGS, jvm(step, 900), reference(step, 500, 1e-7, 4.3)))
                .get("optimizer_step");
        assertThat(faster.jvm()).isEqualTo("0.0500");
        assertThat(faster.reference()).isEqualTo("0.1000");
        assertThat(faster.ratio()).isEqualTo("2.00×");
        assertThat(faster.verdict()).isEqualTo(Verdict.PASS);
        // the JVM takes 1.15× the reference's time: within the target
        Row slightlySlower = rows(new BenchReport(
                        SETTINGS, jvm(step, 900), reference(step, 500, 1e-7, 4.3, JVM_OPTIMIZER_SECONDS / 1.15)))
                .get("optimizer_step");
        assertThat(slightlySlower.verdict()).isEqualTo(Verdict.PASS);
        // 1.25× the reference's time: missed
        Row slower = rows(new BenchReport(
                        SETTINGS, jvm(step, 900), reference(step, 500, 1e-7, 4.3, JVM_OPTIMIZER_SECONDS / 1.25)))
                .get("optimizer_step");
        assertThat(slower.ratio()).isEqualTo("0.80×");
        assertThat(slower.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(rows(new BenchReport(SETTINGS, jvm(step, 900), null))
                        .get("optimizer_step")
                        .verdict())
                .isEqualTo(Verdict.NONE);
    }

    @Test
    void disagreementBeyondATolerancesFailsTheRun() {
        double step = FLOPS / 160e9;
        assertThat(new BenchReport(SETTINGS, jvm(step, 900), reference(2 * step, 500, 1e-7, 4.3)).agrees())
                .isTrue();
        BenchReport wrongLogits = new BenchReport(SETTINGS, jvm(step, 900), reference(2 * step, 500, 3e-3, 4.3));
        assertThat(wrongLogits.agrees()).isFalse();
        assertThat(rows(wrongLogits).get("logits").verdict()).isEqualTo(Verdict.FAIL);
        // the optimizer's updates diverge: the last loss differs by 2e-3 relative
        BenchReport wrongUpdate = new BenchReport(SETTINGS, jvm(step, 900), reference(2 * step, 500, 1e-7, 4.3086));
        assertThat(rows(wrongUpdate).get("last_loss").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(rows(wrongUpdate).get("first_loss").verdict()).isEqualTo(Verdict.PASS);
        assertThat(wrongUpdate.agrees()).isFalse();
    }

    @Test
    void withoutAReferenceOnlyTheJvmsOwnTargetIsJudged() {
        BenchReport report = new BenchReport(SETTINGS, jvm(FLOPS / 160e9, 900), null);
        Map<String, Row> rows = rows(report);
        assertThat(rows.keySet())
                .containsExactlyInAnyOrder(
                        "train_step",
                        "optimizer_step",
                        "rollout",
                        "gemm",
                        "train_flop_rate",
                        "alpharl_snapshot",
                        "alpharl_snapshot_exact",
                        "alpharl_snapshot_accuracy",
                        "alpharl_fit",
                        "peak_rss",
                        "peak_rss_by_phase",
                        "other_cpu");
        assertThat(rows.get("peak_rss_by_phase").jvm()).isEqualTo("load 300, rollout 450, train 500, snapshots 520");
        assertThat(rows.get("train_step").verdict()).isEqualTo(Verdict.NONE);
        assertThat(rows.get("train_step").reference()).isEqualTo("–");
        assertThat(rows.get("train_flop_rate").verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.agrees()).isTrue();
        assertThat(report.json().get("reference").isNull()).isTrue();
    }

    @Test
    void otherProcessesTakingTheCpuMarkTheRunUnreliable() {
        double step = FLOPS / 160e9;
        BenchReport quiet = new BenchReport(SETTINGS, jvm(step, 900), reference(2 * step, 500, 1e-7, 4.3));
        assertThat(quiet.quiet()).isTrue();
        assertThat(rows(quiet).get("other_cpu").jvm()).isEqualTo("1.0");
        assertThat(rows(quiet).get("other_cpu").reference()).isEqualTo("2.0");
        ReferenceRun.Result r = reference(2 * step, 500, 1e-7, 4.3);
        ReferenceRun.Result busy =
                new ReferenceRun.Result(r.measurements(), r.blas(), r.logitsMaxAbsError(), r.logitsMaxRelError(), 0.3);
        BenchReport report = new BenchReport(SETTINGS, jvm(step, 900), busy);
        assertThat(report.quiet()).isFalse();
        assertThat(rows(report).get("other_cpu").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(report.agrees()).isTrue(); // contention makes timings unreliable, not the model wrong
    }

    @Test
    void markdownHasOneWellFormedLinePerRowAndJsonCarriesTheRawFigures() {
        double step = FLOPS / 160e9;
        BenchReport report = new BenchReport(SETTINGS, jvm(step, 900), reference(2 * step, 500, 1e-7, 4.3));
        List<String> tableLines =
                report.markdown().lines().filter(l -> l.startsWith("|")).toList();
        assertThat(tableLines).hasSize(2 + report.rows().size());
        for (String line : tableLines) {
            // six columns: a '|' inside a cell would break the table
            assertThat(line.chars().filter(ch -> ch == '|').count()).as(line).isEqualTo(7);
        }
        JsonNode json = report.json();
        assertThat(json.at("/jvm/measurements/trainStepSeconds").asDouble()).isEqualTo(step);
        assertThat(json.at("/reference/measurements/rolloutTokensPerSecond").asDouble())
                .isEqualTo(500);
        assertThat(json.at("/settings/model/hidden_size").asInt()).isEqualTo(64);
        assertThat(json.at("/train_flops/linear").asDouble())
                .isEqualTo(SETTINGS.trainFlops().linear());
        assertThat(json.get("rows")).hasSize(report.rows().size());
        assertThat(BenchReport.relative(4.3, 4.3086)).isCloseTo(0.0086 / 4.3086, within(1e-12));
    }
}
