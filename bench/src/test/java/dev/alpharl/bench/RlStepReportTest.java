package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.alpharl.bench.BenchReport.Row;
import dev.alpharl.bench.BenchReport.Verdict;
import dev.alpharl.trainer.model.QwenConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RlStepReportTest {

    private static final RlStepSettings SETTINGS = new RlStepSettings(
            QwenConfig.tiny("qwen3", 32, 64, 1, 4, 2, 8, 50, true),
            1,
            2,
            4,
            5,
            3,
            1,
            1,
            RlStepSettings.trainConfig(1, 2, 5, List.of()));

    /** One prompt of 4 tokens, G = 2, lengths 3 and 5: 8 generated, 2·4 + 8 = 16 trained, 2·(4 + 5) = 18 padded. */
    private static final RlStepInputs INPUTS = new RlStepInputs(List.of(new long[] {1, 2, 3, 4}), 2, new int[] {3, 5});

    /** Timed steps with medians rollout 0.25, update 0.45 and step 0.71 s. */
    private static JvmRlStep.Result jvm(long generated, List<Double> gradNorms, double otherCpu) {
        return new JvmRlStep.Result(
                "DJL",
                2,
                List.of(
                        new RlStepTimes(0.20, 0.01, 0.40, 0.61),
                        new RlStepTimes(0.30, 0.01, 0.50, 0.81),
                        new RlStepTimes(0.25, 0.01, 0.45, 0.71)),
                List.of(),
                new double[] {1e-6, 1e-6, 1e-6, 1e-6},
                List.of(0.0, 0.0, 0.0, 0.0),
                gradNorms,
                generated,
                0.05,
                700_000_000L,
                otherCpu);
    }

    /** Timed steps with medians rollout 0.5, update 0.6 and step 1.42 s. */
    private static RlReferenceRun.Result reference(long generated, List<Double> gradNorms, double otherCpu) {
        return new RlReferenceRun.Result(
                "PyTorch eager",
                2,
                "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3",
                List.of(
                        new RlStepTimes(0.5, 0.01, 0.6, 1.42),
                        new RlStepTimes(0.4, 0.01, 0.7, 1.40),
                        new RlStepTimes(0.6, 0.01, 0.5, 1.50)),
                Map.of("prefill_s", 0.1, "decode_s", 0.4, "forward_s", 0.2, "backward_s", 0.3, "optimizer_s", 0.1),
                generated,
                16,
                18,
                5,
                List.of(0.0, 0.0, 0.0, 0.0),
                gradNorms,
                350_000_000L,
                otherCpu);
    }

    private static final List<Double> NORMS = List.of(2.0, 1.9, 1.8, 1.5);

    private static Map<String, Row> rows(RlStepReport report) {
        return report.rows().stream().collect(Collectors.toMap(Row::key, Function.identity()));
    }

    @Test
    void ratesAreEqualTokenCountsOverEachSidesMedianTimes() {
        Map<String, Row> r = rows(new RlStepReport(SETTINGS, INPUTS, jvm(8, NORMS, 0.01), reference(8, NORMS, 0.02)));
        // rollout: 8 / 0.25 = 32 vs 8 / 0.5 = 16
        assertThat(r.get("rollout").jvm()).isEqualTo("32.0 (0.25 s)");
        assertThat(r.get("rollout").reference()).isEqualTo("16.0 (0.50 s)");
        assertThat(r.get("rollout").ratio()).isEqualTo("2.00×");
        assertThat(r.get("rollout").verdict()).isEqualTo(Verdict.PASS);
        // update: 16 / 0.45 vs 16 / 0.6 = 1.33×, below 1.5×
        assertThat(r.get("update").jvm()).isEqualTo("35.6 (0.45 s)");
        assertThat(r.get("update").ratio()).isEqualTo("1.33×");
        assertThat(r.get("update").verdict()).isEqualTo(Verdict.FAIL);
        // RL step: 1.42 / 0.71 = 2×, just the target
        assertThat(r.get("rl_step").ratio()).isEqualTo("2.00×");
        assertThat(r.get("rl_step").verdict()).isEqualTo(Verdict.PASS);
        assertThat(r.get("rollout_phases").jvm()).isEqualTo("0.05 / 0.20");
        assertThat(r.get("rollout_phases").reference()).isEqualTo("0.10 / 0.40");
        assertThat(r.get("peak_rss").ratio()).isEqualTo("2.00×");
        assertThat(r.get("tokens").jvm()).isEqualTo("8 / 16");
        assertThat(r.get("tokens").reference()).isEqualTo("8 / 16 (padded batch 18; 5 decode steps)");
        assertThat(r.get("tokens").verdict()).isEqualTo(Verdict.PASS);
        assertThat(r.get("grad_norms").verdict()).isEqualTo(Verdict.PASS);
        assertThat(r.get("other_cpu").verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void unequalTokenCountsOrGradientNormsAreDisagreement() {
        RlStepReport fine = new RlStepReport(SETTINGS, INPUTS, jvm(8, NORMS, 0.01), reference(8, NORMS, 0.01));
        assertThat(fine.agrees()).isTrue();
        assertThat(new RlStepReport(SETTINGS, INPUTS, jvm(8, NORMS, 0.01), reference(9, NORMS, 0.01)).agrees())
                .isFalse();
        assertThat(new RlStepReport(SETTINGS, INPUTS, jvm(7, NORMS, 0.01), null).agrees())
                .isFalse();
        List<Double> close = List.of(2.0, 1.9, 1.8, 1.5 * (1 + 5e-4));
        List<Double> far = List.of(2.0, 1.9 * (1 + 2e-3), 1.8, 1.5);
        assertThat(new RlStepReport(SETTINGS, INPUTS, jvm(8, NORMS, 0.01), reference(8, close, 0.01)).agrees())
                .isTrue();
        Map<String, Row> r = rows(new RlStepReport(SETTINGS, INPUTS, jvm(8, NORMS, 0.01), reference(8, far, 0.01)));
        assertThat(r.get("grad_norms").verdict()).isEqualTo(Verdict.FAIL);
        assertThat(Double.parseDouble(r.get("grad_norms").reference())).isCloseTo(2e-3 / (1 + 2e-3), within(1e-5));
    }

    @Test
    void maxRelativeComparesEntryByEntry() {
        assertThat(RlStepReport.maxRelative(List.of(1.0, 4.0), List.of(1.0, 5.0)))
                .isEqualTo(0.2);
        assertThat(RlStepReport.maxRelative(List.of(1.0), List.of(1.0, 5.0))).isInfinite();
        assertThat(RlStepReport.maxRelative(List.of(Double.NaN), List.of(1.0))).isNaN();
    }

    @Test
    void aBusyMachineIsFlaggedAndTheTableNamesEverything() {
        RlStepReport busy = new RlStepReport(SETTINGS, INPUTS, jvm(8, NORMS, 0.01), reference(8, NORMS, 0.2));
        assertThat(busy.quiet()).isFalse();
        assertThat(busy.agrees()).isTrue();
        String md = busy.markdown();
        assertThat(md)
                .contains("GRPO step: 1 prompts × 2 samples, prompt 4 tokens", "[1, 5]", "micro-batches of 8 rows")
                .contains("| rollout, tokens/s (8 generated; median of 3) | 32.0 (0.25 s) | 16.0 (0.50 s) | 2.00× |")
                .contains("| update, tokens/s (16 prompt + completion tokens", "| RL step, generated tokens/s")
                .contains("forced lengths 3–5, median 5", "| 20.0 |", "| FAIL |", "openblas-openmp");
        assertThat(busy.json().get("rows").size()).isEqualTo(busy.rows().size());
        assertThat(busy.json().get("jvm").get("grad_norms").size()).isEqualTo(4);
    }

    @Test
    void withoutAReferenceOnlyTheJvmSideIsShown() {
        Map<String, Row> r = rows(new RlStepReport(SETTINGS, INPUTS, jvm(8, NORMS, 0.01), null));
        assertThat(r.get("rl_step").reference()).isEqualTo("–");
        assertThat(r.get("rl_step").verdict()).isEqualTo(Verdict.NONE);
        assertThat(r).doesNotContainKeys("grad_norms", "update_phases");
        assertThat(r.get("tokens").verdict()).isEqualTo(Verdict.PASS);
    }
}
