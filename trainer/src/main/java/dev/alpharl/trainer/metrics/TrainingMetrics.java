package dev.alpharl.trainer.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.alpharl.trainer.config.MetricsConfig;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The Micrometer meters of a training run, and optionally a Prometheus scrape endpoint for them.
 *
 * <p>Meters (Micrometer names; Prometheus names in parentheses):
 * <ul>
 *   <li>{@code trainer.phase} timer tagged {@code phase} = rollout, reward, reference, old_logprobs, update, eval,
 *       alpharl, checkpoint ({@code trainer_phase_seconds_count/_sum/_max})</li>
 *   <li>counters {@code trainer.tokens.rollout}, {@code trainer.tokens.train}, {@code trainer.steps.skipped},
 *       {@code trainer.reward.errors}, {@code trainer.reward.timeouts} ({@code trainer_tokens_rollout_total}, ...)</li>
 *   <li>gauges {@code trainer.memory.rss} and {@code trainer.memory.heap.used} in bytes
 *       ({@code trainer_memory_rss_bytes}, ...), {@code trainer.ndarrays.live} once registered</li>
 *   <li>after {@link #observe}: {@code trainer.step} and one gauge per numeric key of the last step record,
 *       {@code trainer.metric.<key>} with '/' as '.' ({@code trainer_metric_reward_mean}, ...)</li>
 * </ul>
 *
 * <p>The endpoint binds to 127.0.0.1 only (metrics are not for the network at large; tunnel or proxy to scrape from
 * elsewhere) and serves {@code GET /metrics}.
 */
public final class TrainingMetrics implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(TrainingMetrics.class);
    private static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Clock clock;
    private final CompositeMeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final HttpServer server;
    private final ExecutorService serverThread;
    private final Map<Phase, Timer> timers = new EnumMap<>(Phase.class);
    private final Counter rolloutTokens;
    private final Counter trainTokens;
    private final Counter skippedSteps;
    private final Counter rewardErrors;
    private final Counter rewardTimeouts;
    /** Seconds per phase since the last {@link #takeStepTimings()}, in order of first use. */
    private final Map<String, Double> stepTimings = new LinkedHashMap<>();

    private final PhasePeaks phasePeaks;
    /** Last values of the step gauges, as double bits. */
    private final Map<String, AtomicLong> lastValues = new ConcurrentHashMap<>();

    /**
     * @param clock          the clock of every meter and phase timing (a {@code MockClock} in tests)
     * @param prometheusPort null: no endpoint; 0: serve on a free port (see {@link #prometheusPort()}); else that port
     * @throws IOException when the port cannot be bound; the message names {@code metrics.prometheus-port}
     */
    public TrainingMetrics(Clock clock, Integer prometheusPort) throws IOException {
        this.clock = clock;
        this.phasePeaks = PhasePeaks.ofProcess();
        this.registry = new CompositeMeterRegistry(clock);
        registry.add(new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock));
        if (prometheusPort != null) {
            if (prometheusPort < 0 || prometheusPort > 65535) {
                throw new IllegalArgumentException(
                        "metrics.prometheus-port must be in 0..65535, got " + prometheusPort);
            }
            prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
            registry.add(prometheus);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), prometheusPort);
            try {
                server = HttpServer.create(address, 0);
            } catch (BindException e) {
                registry.close();
                throw new IOException(
                        "metrics.prometheus-port " + prometheusPort + ": cannot listen on " + address + ": "
                                + e.getMessage() + " (choose another port, or 0 to turn the endpoint off)",
                        e);
            }
            server.createContext("/metrics", this::serveScrape);
            serverThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "prometheus-endpoint");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(serverThread);
            server.start();
            LOG.info("Prometheus metrics at {}", prometheusUri().orElseThrow());
        } else {
            prometheus = null;
            server = null;
            serverThread = null;
        }

        for (Phase phase : Phase.values()) {
            timers.put(
                    phase,
                    Timer.builder("trainer.phase")
                            .tag("phase", phase.key())
                            .description("wall-clock time of one phase of a training step")
                            .register(registry));
        }
        rolloutTokens = counter("trainer.tokens.rollout", "completion tokens generated by rollouts");
        trainTokens = counter("trainer.tokens.train", "tokens (prompt and completion) passed through updates");
        skippedSteps = counter("trainer.steps.skipped", "updates skipped (e.g. non-finite gradient)");
        rewardErrors = counter("trainer.reward.errors", "reward computations that threw");
        rewardTimeouts = counter("trainer.reward.timeouts", "reward computations that timed out");
        Gauge.builder("trainer.memory.rss", ProcessMemory::residentBytes)
                .baseUnit(BaseUnits.BYTES)
                .description("resident memory of the process (VmRSS), including native tensors")
                .register(registry);
        Gauge.builder("trainer.memory.heap.used", ProcessMemory::heapUsedBytes)
                .baseUnit(BaseUnits.BYTES)
                .description("Java heap in use")
                .register(registry);
    }

    /** Meters for a run with {@code metrics.prometheus-port} (0: no endpoint) on the system clock. */
    public static TrainingMetrics fromConfig(MetricsConfig config) throws IOException {
        return new TrainingMetrics(Clock.SYSTEM, config.prometheusPort() == 0 ? null : config.prometheusPort());
    }

    /** The registry of all meters, for callers that add their own. */
    public MeterRegistry registry() {
        return registry;
    }

    public Timer timer(Phase phase) {
        return timers.get(phase);
    }

    /** Runs {@code work}, recording its duration (also when it throws) under {@code phase}. */
    public <T> T time(Phase phase, Supplier<T> work) {
        try (PhaseTiming ignored = start(phase)) {
            return work.get();
        }
    }

    /** Runs {@code work}, recording its duration (also when it throws) under {@code phase}. */
    public void time(Phase phase, Runnable work) {
        try (PhaseTiming ignored = start(phase)) {
            work.run();
        }
    }

    /** Starts timing {@code phase}; closing the result records it. For bodies that throw checked exceptions. */
    public PhaseTiming start(Phase phase) {
        phasePeaks.enter(phase.key());
        return new PhaseTiming(phase, clock.monotonicTime());
    }

    /** A running phase timing; {@link #close()} records it once. */
    public final class PhaseTiming implements AutoCloseable {
        private final Phase phase;
        private final long startNanos;
        private boolean recorded;

        private PhaseTiming(Phase phase, long startNanos) {
            this.phase = phase;
            this.startNanos = startNanos;
        }

        @Override
        public void close() {
            if (!recorded) {
                recorded = true;
                record(phase, clock.monotonicTime() - startNanos);
                phasePeaks.exit(phase.key());
            }
        }
    }

    private void record(Phase phase, long nanos) {
        timers.get(phase).record(nanos, TimeUnit.NANOSECONDS);
        synchronized (stepTimings) {
            stepTimings.merge(phase.key(), nanos / 1e9, Double::sum);
        }
    }

    /**
     * Seconds spent in each phase since the previous call (phases timed several times are summed), in order of first
     * use, then starts over; for {@link StepRecord.Builder#timings}.
     */
    public Map<String, Double> takeStepTimings() {
        synchronized (stepTimings) {
            Map<String, Double> taken = new LinkedHashMap<>(stepTimings);
            stepTimings.clear();
            return taken;
        }
    }

    /**
     * Peak resident megabytes of each phase since the previous call, and {@code step} for the largest of all (the
     * per-phase memory trace, {@link PhasePeaks}); empty where the process's high-water mark cannot be reset.
     */
    public Map<String, Double> takeStepPeaks() {
        return phasePeaks.take();
    }

    public Counter rolloutTokens() {
        return rolloutTokens;
    }

    public Counter trainTokens() {
        return trainTokens;
    }

    public Counter skippedSteps() {
        return skippedSteps;
    }

    public Counter rewardErrors() {
        return rewardErrors;
    }

    public Counter rewardTimeouts() {
        return rewardTimeouts;
    }

    /** Registers the gauge {@code trainer.ndarrays.live}, read from {@code liveArrays} at each scrape. */
    public void registerLiveArrays(LongSupplier liveArrays) {
        Gauge.builder("trainer.ndarrays.live", liveArrays, s -> s.getAsLong())
                .strongReference(true)
                .description("NDArrays not yet closed")
                .register(registry);
    }

    /** Publishes the numeric values of the latest step as gauges ({@code trainer.step}, {@code trainer.metric.*}). */
    public void observe(StepRecord record) {
        for (Map.Entry<String, Object> e : record.values().entrySet()) {
            if (e.getKey().equals(StepRecord.TIME_S) || !(e.getValue() instanceof Number n)) {
                continue;
            }
            String name =
                    e.getKey().equals(StepRecord.STEP) ? "trainer.step" : "trainer.metric." + meterName(e.getKey());
            lastValues.computeIfAbsent(name, this::stepGauge).set(Double.doubleToLongBits(n.doubleValue()));
        }
    }

    private AtomicLong stepGauge(String name) {
        AtomicLong bits = new AtomicLong(Double.doubleToLongBits(Double.NaN));
        Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get()))
                .strongReference(true)
                .description("value at the last step")
                .register(registry);
        return bits;
    }

    /** "reward/mean" → "reward.mean"; characters outside [A-Za-z0-9_.] become '_'. */
    static String meterName(String key) {
        return key.replace('/', '.').replaceAll("[^A-Za-z0-9_.]", "_");
    }

    /** The bound port of the Prometheus endpoint, empty when it is off. */
    public Optional<Integer> prometheusPort() {
        return server == null
                ? Optional.empty()
                : Optional.of(server.getAddress().getPort());
    }

    /** The scrape address, e.g. {@code http://127.0.0.1:9400/metrics}; empty when the endpoint is off. */
    public Optional<URI> prometheusUri() {
        return prometheusPort()
                .map(p -> URI.create(
                        "http://" + server.getAddress().getAddress().getHostAddress() + ":" + p + "/metrics"));
    }

    private void serveScrape(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")
                    && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = prometheus.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", PROMETHEUS_CONTENT_TYPE);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops the endpoint (if any) and closes the registries. */
    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
            serverThread.shutdownNow();
        }
        registry.close();
    }

    /** A plain count; no base unit, which Prometheus would append to the name ({@code ..._tokens_total}). */
    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }
}
