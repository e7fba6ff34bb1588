package dev.alpharl.rewards;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs a reward function under a wall-clock limit on a daemon worker thread (no signals, so it works off the main
 * thread, unlike SIGALRM-based graders). An exception, a non-finite score or a timeout is counted, logged at ERROR
 * and returned as a failed {@link RewardResult} carrying {@code errorScore}. A timed-out worker is interrupted;
 * the cached pool starts a fresh thread for the next call, so one stuck input cannot block later ones.
 */
public final class GuardedReward implements RewardFunction {
    private static final Logger LOG = LogManager.getLogger(GuardedReward.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "reward-worker-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private static final int EXCERPT_CHARS = 200;

    private final RewardFunction inner;
    private final long timeoutNanos;
    private final double errorScore;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();

    public GuardedReward(RewardFunction inner, Duration timeout, double errorScore) {
        if (timeout.isNegative() || timeout.isZero())
            throw new IllegalArgumentException("reward timeout must be positive, got " + timeout);
        if (!Double.isFinite(errorScore))
            throw new IllegalArgumentException("error score must be finite, got " + errorScore);
        this.inner = inner;
        this.timeoutNanos = timeout.toNanos();
        this.errorScore = errorScore;
    }

    @Override
    public String name() {
        return inner.name();
    }

    public RewardFunction inner() {
        return inner;
    }

    @Override
    public RewardResult score(String prompt, String completion, Map<String, Object> fields) {
        calls.incrementAndGet();
        Future<RewardResult> future = WORKERS.submit(() -> inner.score(prompt, completion, fields));
        try {
            RewardResult r = future.get(timeoutNanos, TimeUnit.NANOSECONDS);
            if (!Double.isFinite(r.score())) return fail(errors, "non-finite score " + r.score(), completion, null);
            return r;
        } catch (TimeoutException e) {
            future.cancel(true);
            return fail(
                    timeouts,
                    "timed out after " + Duration.ofNanos(timeoutNanos).toMillis() + " ms",
                    completion,
                    null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return fail(errors, cause.getClass().getSimpleName() + ": " + cause.getMessage(), completion, cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return fail(errors, "interrupted while waiting for the reward", completion, e);
        }
    }

    private RewardResult fail(AtomicLong counter, String message, String completion, Throwable cause) {
        counter.incrementAndGet();
        String excerpt = completion == null
                ? "null"
                : completion.length() <= EXCERPT_CHARS
                        ? completion
                        : "…" + completion.substring(completion.length() - EXCERPT_CHARS);
        LOG.error(
                "reward '{}' FAILED ({}); scored {} instead [errors={}, timeouts={}, calls={}]; completion tail: {}",
                inner.name(),
                message,
                errorScore,
                errors.get(),
                timeouts.get(),
                calls.get(),
                excerpt,
                cause);
        return RewardResult.failed(errorScore, "reward '" + inner.name() + "' " + message);
    }

    @Override
    public RewardCounts counts() {
        return new RewardCounts(calls.get(), errors.get(), timeouts.get()).plus(inner.counts());
    }
}
