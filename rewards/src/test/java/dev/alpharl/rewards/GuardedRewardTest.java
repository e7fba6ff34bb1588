package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class GuardedRewardTest {

    private static RewardFunction of(String name, java.util.function.Supplier<RewardResult> body) {
        return new RewardFunction() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public RewardResult score(String prompt, String completion, Map<String, Object> fields) {
                return body.get();
            }
        };
    }

    @Test
    void passesThroughAnOrdinaryResultAndCountsTheCall() {
        GuardedReward g = new GuardedReward(new Constant("c", 0.75), Duration.ofSeconds(2), -9);
        RewardResult r = g.score("p", "c", Map.of());
        assertThat(r.score()).isEqualTo(0.75);
        assertThat(r.error()).isFalse();
        assertThat(g.counts()).isEqualTo(new RewardCounts(1, 0, 0));
    }

    @Test
    void aSleepingFunctionIsCutOffAtTheLimitAndCountedAsTimeout() {
        AtomicBoolean interrupted = new AtomicBoolean();
        GuardedReward g = new GuardedReward(
                of("sleepy", () -> {
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                    }
                    return RewardResult.of(1, Map.of());
                }),
                Duration.ofMillis(200),
                -0.5);
        long start = System.nanoTime();
        RewardResult r = g.score("", "some completion", Map.of());
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isBetween(190L, 2_000L);
        assertThat(r.error()).isTrue();
        assertThat(r.score()).isEqualTo(-0.5);
        assertThat(r.errorMessage()).contains("sleepy").contains("timed out");
        assertThat(g.counts()).isEqualTo(new RewardCounts(1, 0, 1));
    }

    @Test
    void aSpinningFunctionThatIgnoresInterruptsDoesNotBlockLaterCalls() {
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean first = new AtomicBoolean(true);
        GuardedReward g = new GuardedReward(
                of("spinner", () -> {
                    if (first.getAndSet(false)) {
                        while (!release.get()) Thread.onSpinWait(); // ignores interruption
                    }
                    return RewardResult.of(1, Map.of());
                }),
                Duration.ofMillis(150),
                0);
        try {
            assertThat(g.score("", "", Map.of()).error()).isTrue();
            long start = System.nanoTime();
            RewardResult second = g.score("", "", Map.of());
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1_000L);
            assertThat(second.error()).isFalse();
            assertThat(second.score()).isEqualTo(1.0);
            assertThat(g.counts()).isEqualTo(new RewardCounts(2, 0, 1));
        } finally {
            release.set(true);
        }
    }

    @Test
    void anExceptionIsCountedAndReportedNotSilentlyZero() {
        GuardedReward g = new GuardedReward(
                of("broken", () -> {
                    throw new IllegalStateException("gold answer unparseable");
                }),
                Duration.ofSeconds(2),
                0.0);
        RewardResult r = g.score("", "c", Map.of());
        assertThat(r.error()).isTrue();
        assertThat(r.score()).isEqualTo(0.0);
        assertThat(r.errorMessage())
                .contains("broken")
                .contains("IllegalStateException")
                .contains("gold answer unparseable");
        assertThat(r.toMap()).containsEntry("error", true).containsKey("error_message");
        g.score("", "c", Map.of());
        assertThat(g.counts()).isEqualTo(new RewardCounts(2, 2, 0));
        assertThat(g.counts().failures()).isEqualTo(2);
    }

    @Test
    void aStackOverflowOrNonFiniteScoreIsAnError() {
        GuardedReward overflow = new GuardedReward(
                of("deep", () -> {
                    throw new StackOverflowError();
                }),
                Duration.ofSeconds(2),
                0.0);
        assertThat(overflow.score("", "", Map.of()).error()).isTrue();
        GuardedReward nan =
                new GuardedReward(of("nan", () -> RewardResult.of(Double.NaN, Map.of())), Duration.ofSeconds(2), 0.0);
        RewardResult r = nan.score("", "", Map.of());
        assertThat(r.error()).isTrue();
        assertThat(r.score()).isEqualTo(0.0);
        assertThat(nan.counts().errors()).isEqualTo(1);
    }

    @Test
    void pathologicalMathInputsFinishWellWithinTheLimit() {
        RewardFunction math = Rewards.create("math", Map.of("timeout-seconds", 2));
        String[] inputs = {
            "\\boxed{9^{9^{9^{9}}}}",
            "\\boxed{10^{10^{10}}}",
            "\\boxed{" + "9".repeat(200_000) + "}",
            "\\boxed{" + "(".repeat(5000) + "1" + ")".repeat(5000) + "}",
            "\\boxed{" + "{".repeat(100_000),
            "Answer: " + "5 apples ".repeat(20_000),
            "\\boxed{\\sqrt[99999]{2}^{99999}}",
            "\\boxed{".repeat(20_000),
        };
        for (String completion : inputs) {
            long start = System.nanoTime();
            RewardResult r = math.score("", completion, Map.of("answer", "2"));
            assertThat((System.nanoTime() - start) / 1_000_000)
                    .as(completion.substring(0, 20))
                    .isLessThan(1_500L);
            assertThat(r.error()).as(completion.substring(0, 20)).isFalse();
            // the 99999-th root of 2, raised to the power 99999, is exactly 2: the simplifier proves it
            double expected = completion.startsWith("\\boxed{\\sqrt[99999]") ? 1.0 : 0.0;
            assertThat(r.score()).as(completion.substring(0, 20)).isEqualTo(expected);
        }
        assertThat(math.counts()).isEqualTo(new RewardCounts(inputs.length, 0, 0));
    }
}
