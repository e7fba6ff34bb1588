package dev.alpharl.trainer.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The metrics of one training step, in the order they are written to {@code metrics.jsonl}: {@code step} and
 * {@code time_s} first, then every other key in insertion order. Values are numbers, booleans or strings; a
 * non-finite number is kept (the sink writes it as {@code null}) so that a NaN loss stays visible.
 *
 * <p>The standard names (ARCHITECTURE.md) are the constants below; extra keys such as {@code timing/rollout_s} or
 * {@code alpharl/...} are added with {@link Builder#put}.
 */
public final class StepRecord {

    public static final String STEP = "step";
    public static final String TIME_S = "time_s";
    public static final String REWARD_MEAN = "reward/mean";
    public static final String REWARD_STD = "reward/std";
    public static final String LOSS_POLICY = "loss/policy";
    public static final String KL = "kl";
    public static final String ENTROPY = "entropy";
    public static final String CLIPFRAC = "clipfrac";
    public static final String GRAD_NORM = "grad_norm";
    public static final String LR = "lr";
    public static final String RESPONSE_LENGTH_MEAN = "response_length/mean";
    public static final String ROLLOUT_TOKENS_PER_S = "throughput/rollout_tokens_per_s";
    public static final String TRAIN_TOKENS_PER_S = "throughput/train_tokens_per_s";
    public static final String EVAL_ACCURACY = "eval/accuracy";
    public static final String EVAL_N = "eval/n";
    /** 1 when the update of this step was skipped (e.g. a non-finite gradient); absent otherwise. */
    public static final String SKIPPED = "skipped";
    /** Why the update was skipped, e.g. {@code "non-finite grad"}. */
    public static final String SKIP_REASON = "skip_reason";
    /** Prefix of the per-phase wall-clock seconds: {@code timing/rollout_s}, {@code timing/update_s}, ... */
    public static final String TIMING_PREFIX = "timing/";

    private final Map<String, Object> values;

    private StepRecord(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** Starts a record for {@code step}, {@code timeSeconds} after the start of the run. */
    public static Builder builder(long step, double timeSeconds) {
        return new Builder(step, timeSeconds);
    }

    public long step() {
        return (Long) values.get(STEP);
    }

    public double timeSeconds() {
        return (Double) values.get(TIME_S);
    }

    /** All keys and values, {@code step} and {@code time_s} first, then insertion order; unmodifiable. */
    public Map<String, Object> values() {
        return values;
    }

    /** The numeric value of {@code key}, or NaN when absent or not a number. */
    public double number(String key) {
        return values.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public boolean skipped() {
        return values.containsKey(SKIPPED);
    }

    /** The reason the step was skipped, or null when it was not skipped or no reason was given. */
    public String skipReason() {
        return values.get(SKIP_REASON) instanceof String s ? s : null;
    }

    public boolean isEvalStep() {
        return values.containsKey(EVAL_ACCURACY);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepRecord r && r.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "StepRecord" + values;
    }

    /** Collects the values of one step. Setting a key twice keeps its first position and the last value. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        private Builder(long step, double timeSeconds) {
            if (step < 0) {
                throw new IllegalArgumentException("step must be >= 0, got " + step);
            }
            values.put(STEP, step);
            values.put(TIME_S, timeSeconds);
        }

        public Builder rewardMean(double v) {
            return put(REWARD_MEAN, v);
        }

        public Builder rewardStd(double v) {
            return put(REWARD_STD, v);
        }

        public Builder policyLoss(double v) {
            return put(LOSS_POLICY, v);
        }

        public Builder kl(double v) {
            return put(KL, v);
        }

        public Builder entropy(double v) {
            return put(ENTROPY, v);
        }

        public Builder clipfrac(double v) {
            return put(CLIPFRAC, v);
        }

        public Builder gradNorm(double v) {
            return put(GRAD_NORM, v);
        }

        public Builder lr(double v) {
            return put(LR, v);
        }

        public Builder responseLengthMean(double v) {
            return put(RESPONSE_LENGTH_MEAN, v);
        }

        public Builder rolloutTokensPerSecond(double v) {
            return put(ROLLOUT_TOKENS_PER_S, v);
        }

        public Builder trainTokensPerSecond(double v) {
            return put(TRAIN_TOKENS_PER_S, v);
        }

        /** Marks an eval step: mean@n accuracy over the eval set and the number of samples per prompt. */
        public Builder eval(double accuracy, int n) {
            put(EVAL_ACCURACY, accuracy);
            return put(EVAL_N, (long) n);
        }

        /** Marks the update of this step as skipped, with a short human-readable reason. */
        public Builder skipped(String reason) {
            put(SKIPPED, 1L);
            return put(SKIP_REASON, Objects.requireNonNull(reason, "reason"));
        }

        /** Adds {@code timing/<phase>_s} for each phase, e.g. from {@link TrainingMetrics#takeStepTimings()}. */
        public Builder timings(Map<String, Double> secondsByPhase) {
            secondsByPhase.forEach((phase, seconds) -> put(TIMING_PREFIX + phase + "_s", seconds));
            return this;
        }

        /**
         * Adds {@code memory/peak_<phase>_mb} for each phase (and {@code memory/peak_step_mb}), e.g. from {@link
         * TrainingMetrics#takeStepPeaks()}.
         */
        public Builder peaks(Map<String, Double> megabytesByPhase) {
            megabytesByPhase.forEach((phase, mb) -> put("memory/peak_" + phase + "_mb", mb));
            return this;
        }

        /** Adds an extra key; the value must be a Number, Boolean or String. */
        public Builder put(String key, Object value) {
            Objects.requireNonNull(key, "key");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("metric key must not be empty");
            }
            if (key.equals(STEP) || key.equals(TIME_S)) {
                throw new IllegalArgumentException("'" + key + "' is set by StepRecord.builder(step, timeSeconds)");
            }
            if (!(value instanceof Number || value instanceof Boolean || value instanceof String)) {
                throw new IllegalArgumentException("metric '" + key + "' must be a number, boolean or string, got "
                        + (value == null ? "null" : value.getClass().getSimpleName()));
            }
            values.put(key, value);
            return this;
        }

        public StepRecord build() {
            return new StepRecord(new LinkedHashMap<>(values));
        }
    }
}
