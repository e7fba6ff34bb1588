package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RlReferenceRunTest {

    private static String step(double rollout, double update, double prefill) {
        return String.format(
                java.util.Locale.ROOT,
                "{\"prefill_s\": %s, \"decode_s\": %s, \"forward_s\": 0.1, \"backward_s\": 0.2, \"optimizer_s\": 0.05,"
                        + " \"rollout_s\": %s, \"reward_s\": 0.001, \"update_s\": %s, \"step_s\": %s}",
                prefill,
                rollout - prefill,
                rollout,
                update,
                rollout + update + 0.001);
    }

    @Test
    void theLastJsonLineGivesTheStepsTheirMedianPhasesAndTheCounts() {
        String stdout = "torch says hi\n{\"not\": \"this one\"}\n{\"implementation\": \"PyTorch 1.13 eager\", "
                + "\"threads\": 2, \"blas\": \"/x/openblas-openmp/libblas.so.3\", \"steps\": ["
                + step(2.0, 3.0, 0.5) + ", " + step(4.0, 1.0, 0.7) + ", " + step(3.0, 2.0, 0.6)
                + "], \"generated_tokens\": 2100, \"update_tokens\": 4148, \"padded_update_tokens\": 6128, "
                + "\"decode_steps\": 255, \"losses\": [0.0, 1e-9], \"grad_norms\": [0.5, 0.4], "
                + "\"peak_rss_bytes\": 123456}\n";
        RlReferenceRun.Result r = RlReferenceRun.parse(stdout);
        assertThat(r.timed()).hasSize(3);
        assertThat(r.timed().get(1).rolloutSeconds()).isEqualTo(4.0);
        assertThat(r.medianPhases().get("rollout_s")).isEqualTo(3.0);
        assertThat(r.medianPhases().get("update_s")).isEqualTo(2.0);
        assertThat(r.medianPhases().get("prefill_s")).isEqualTo(0.6);
        assertThat(r.medianPhases().get("decode_s")).isEqualTo(2.4);
        assertThat(r.generatedTokens()).isEqualTo(2100);
        assertThat(r.paddedTrainedTokens()).isEqualTo(6128);
        assertThat(r.decodeSteps()).isEqualTo(255);
        assertThat(r.gradNorms()).containsExactly(0.5, 0.4);
        assertThat(r.peakRssBytes()).isEqualTo(123456);
        assertThat(r.otherCpuShare()).isNaN();
    }

    @Test
    void aMissingKeyOrNoTimedStepIsNamed() {
        assertThatThrownBy(() -> RlReferenceRun.parse("{\"implementation\": \"x\", \"steps\": []}"))
                .hasMessageContaining("no timed step");
        assertThatThrownBy(() -> RlReferenceRun.parse("{\"steps\": [" + step(1, 1, 0.1) + "]}"))
                .hasMessageContaining("lacks key 'implementation'");
    }
}
