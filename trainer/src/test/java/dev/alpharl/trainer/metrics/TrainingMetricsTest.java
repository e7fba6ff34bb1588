package dev.alpharl.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.trainer.config.MetricsConfig;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class TrainingMetricsTest {

    @TempDir
    Path dir;

    @Test
    void phaseTimersRecordDurationsOnTheGivenClock() throws IOException {
        MockClock clock = new MockClock();
        try (TrainingMetrics metrics = new TrainingMetrics(clock, null)) {
            String text = metrics.time(Phase.ROLLOUT, () -> {
                clock.add(1500, TimeUnit.MILLISECONDS);
                return "done";
            });
            assertThat(text).isEqualTo("done");
            metrics.time(Phase.UPDATE, () -> clock.add(200, TimeUnit.MILLISECONDS));
            try (TrainingMetrics.PhaseTiming t = metrics.start(Phase.UPDATE)) {
                clock.add(300, TimeUnit.MILLISECONDS);
            }
            // a failing phase is timed too
            assertThatThrownBy(() -> metrics.time(Phase.REWARD, (Runnable) () -> {
                        clock.add(50, TimeUnit.MILLISECONDS);
                        throw new IllegalStateException("boom");
                    }))
                    .hasMessage("boom");

            Timer rollout = metrics.timer(Phase.ROLLOUT);
            assertThat(rollout.count()).isEqualTo(1);
            assertThat(rollout.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1500.0);
            Timer update = metrics.registry()
                    .get("trainer.phase")
                    .tag("phase", "update")
                    .timer();
            assertThat(update.count()).isEqualTo(2);
            assertThat(update.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(500.0);
            assertThat(update.max(TimeUnit.MILLISECONDS)).isEqualTo(300.0);
            assertThat(metrics.timer(Phase.OLD_LOGPROBS).count()).isZero();

            // per-step seconds in order of first use, summed within the step, then reset
            assertThat(metrics.takeStepTimings())
                    .containsExactly(
                            java.util.Map.entry("rollout", 1.5),
                            java.util.Map.entry("update", 0.5),
                            java.util.Map.entry("reward", 0.05));
            assertThat(metrics.takeStepTimings()).isEmpty();
            metrics.time(Phase.EVAL, () -> clock.add(2, TimeUnit.SECONDS));
            assertThat(metrics.takeStepTimings()).containsExactly(java.util.Map.entry("eval", 2.0));
            assertThat(metrics.timer(Phase.ROLLOUT).count()).isEqualTo(1); // timers stay cumulative
        }
    }

    @Test
    void phaseTimingRecordsOnce() throws IOException {
        MockClock clock = new MockClock();
        try (TrainingMetrics metrics = new TrainingMetrics(clock, null)) {
            TrainingMetrics.PhaseTiming t = metrics.start(Phase.ALPHARL);
            clock.add(1, TimeUnit.SECONDS);
            t.close();
            t.close();
            assertThat(metrics.timer(Phase.ALPHARL).count()).isEqualTo(1);
        }
    }

    @Test
    void countersAndLiveArrayGauge() throws IOException {
        try (TrainingMetrics metrics = new TrainingMetrics(new MockClock(), null)) {
            metrics.rolloutTokens().increment(1200);
            metrics.rolloutTokens().increment(800);
            metrics.trainTokens().increment(3000);
            metrics.skippedSteps().increment();
            metrics.rewardErrors().increment();
            metrics.rewardTimeouts().increment(2);
            AtomicLong live = new AtomicLong(17);
            metrics.registerLiveArrays(live::get);
            live.set(42);

            assertThat(metrics.registry()
                            .get("trainer.tokens.rollout")
                            .counter()
                            .count())
                    .isEqualTo(2000);
            assertThat(metrics.registry().get("trainer.tokens.train").counter().count())
                    .isEqualTo(3000);
            assertThat(metrics.registry().get("trainer.steps.skipped").counter().count())
                    .isEqualTo(1);
            assertThat(metrics.registry().get("trainer.reward.errors").counter().count())
                    .isEqualTo(1);
            assertThat(metrics.registry()
                            .get("trainer.reward.timeouts")
                            .counter()
                            .count())
                    .isEqualTo(2);
            assertThat(metrics.registry().get("trainer.ndarrays.live").gauge().value())
                    .isEqualTo(42);
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void memoryGaugesReadThisProcess() throws IOException {
        long rss = ProcessMemory.residentBytes();
        // the JVM with a started heap is far above 10 MB resident and below the machine's memory
        assertThat(rss).isGreaterThan(10L << 20).isLessThan(1L << 40);
        try (TrainingMetrics metrics = new TrainingMetrics(new MockClock(), null)) {
            double gauged = metrics.registry().get("trainer.memory.rss").gauge().value();
            assertThat(gauged).isBetween(rss * 0.5, rss * 2.0);
            assertThat(metrics.registry()
                            .get("trainer.memory.heap.used")
                            .gauge()
                            .value())
                    .isPositive();
        }
    }

    @Test
    void vmRssIsParsedFromProcStatusWithAFallbackWhenAbsent() throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(
                status,
                "Name:\tjava\nVmPeak:\t 9999 kB\nVmHWM:\t  200000 kB\nVmRSS:\t  123456 kB\n" + "Threads:\t12\n");
        assertThat(ProcessMemory.vmRssBytes(status)).isEqualTo(123456L * 1024);
        assertThat(ProcessMemory.statusKiloBytes(status, "VmHWM")).isEqualTo(200000L * 1024);
        Files.writeString(status, "Name:\tjava\n");
        assertThat(ProcessMemory.vmRssBytes(status)).isEqualTo(-1);
        assertThat(ProcessMemory.vmRssBytes(dir.resolve("missing"))).isEqualTo(-1);
    }

    @Test
    void lastStepValuesArePublishedAsGauges() throws IOException {
        try (TrainingMetrics metrics = new TrainingMetrics(new MockClock(), null)) {
            metrics.observe(StepRecord.builder(3, 10)
                    .rewardMean(0.25)
                    .kl(Double.NaN)
                    .put("eval/mean@4", 0.5)
                    .skipped("non-finite grad")
                    .build());
            metrics.observe(StepRecord.builder(4, 12).rewardMean(0.75).build());
            assertThat(metrics.registry().get("trainer.step").gauge().value()).isEqualTo(4);
            assertThat(metrics.registry()
                            .get("trainer.metric.reward.mean")
                            .gauge()
                            .value())
                    .isEqualTo(0.75);
            assertThat(metrics.registry().get("trainer.metric.kl").gauge().value())
                    .isNaN();
            assertThat(metrics.registry()
                            .get("trainer.metric.eval.mean_4")
                            .gauge()
                            .value())
                    .isEqualTo(0.5);
            assertThat(metrics.registry().find("trainer.metric.skip_reason").gauge())
                    .isNull();
            assertThat(metrics.registry().find("trainer.metric.time_s").gauge()).isNull();
        }
    }

    @Test
    void prometheusEndpointServesTheMetricsOnAFreePortAndStopsOnClose() throws Exception {
        MockClock clock = new MockClock();
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri;
        try (TrainingMetrics metrics = new TrainingMetrics(clock, 0)) {
            int port = metrics.prometheusPort().orElseThrow();
            assertThat(port).isPositive();
            uri = metrics.prometheusUri().orElseThrow();
            assertThat(uri).isEqualTo(URI.create("http://127.0.0.1:" + port + "/metrics"));

            metrics.rolloutTokens().increment(1234);
            metrics.time(Phase.ROLLOUT, () -> clock.add(2500, TimeUnit.MILLISECONDS));
            metrics.observe(StepRecord.builder(7, 1).rewardMean(0.5).build());

            HttpResponse<String> response =
                    http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(response.body().lines())
                    .contains("trainer_tokens_rollout_total 1234.0")
                    .contains("trainer_phase_seconds_count{phase=\"rollout\"} 1")
                    .contains("trainer_phase_seconds_sum{phase=\"rollout\"} 2.5")
                    .contains("trainer_step 7.0")
                    .contains("trainer_metric_reward_mean 0.5")
                    .anyMatch(l -> l.startsWith("trainer_memory_rss_bytes "));

            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(uri)
                            .POST(HttpRequest.BodyPublishers.ofString("x"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
        assertThatThrownBy(() ->
                        http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aBusyPortIsAnErrorNamingTheConfigKey() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> new TrainingMetrics(Clock.SYSTEM, port))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("metrics.prometheus-port " + port + ": cannot listen on");
        }
    }

    @Test
    void configPortZeroMeansNoEndpoint() throws IOException {
        try (TrainingMetrics metrics = TrainingMetrics.fromConfig(new MetricsConfig(0, 1))) {
            assertThat(metrics.prometheusPort()).isEmpty();
            assertThat(metrics.prometheusUri()).isEmpty();
        }
    }
}
