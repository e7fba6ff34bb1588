package dev.alpharl.trainer.metrics;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.StringJoiner;

/**
 * Formats the console line of one step, for example
 * {@code step 12/200 | reward 0.41±0.12 | kl 0.003 | len 38 | 1.2k tok/s | 2.1 s/step | ETA 6m40s},
 * with {@code | eval 0.55} on eval steps and {@code SKIPPED (reason)} after the step number when the update was
 * skipped. A field whose value is absent or not finite is left out. {@code tok/s} is the rollout (generation)
 * throughput; {@code s/step} is the smoothed step time that the ETA uses.
 */
public final class ProgressLine {

    private ProgressLine() {}

    /** The line for {@code record}; {@code eta} must already have observed this step's time. */
    public static String format(StepRecord record, EtaEstimator eta) {
        StringJoiner line = new StringJoiner(" | ");
        line.add("step " + record.step() + "/" + eta.totalSteps());
        if (record.skipped()) {
            String reason = record.skipReason();
            line.add(reason == null ? "SKIPPED" : "SKIPPED (" + reason + ")");
        }
        double mean = record.number(StepRecord.REWARD_MEAN);
        double std = record.number(StepRecord.REWARD_STD);
        if (Double.isFinite(mean)) {
            line.add("reward " + fixed(mean, 2) + (Double.isFinite(std) ? "±" + fixed(std, 2) : ""));
        }
        double kl = record.number(StepRecord.KL);
        if (Double.isFinite(kl)) {
            line.add("kl " + significant(kl));
        }
        double length = record.number(StepRecord.RESPONSE_LENGTH_MEAN);
        if (Double.isFinite(length)) {
            line.add("len " + fixed(length, 0));
        }
        double tokensPerSecond = record.number(StepRecord.ROLLOUT_TOKENS_PER_S);
        if (Double.isFinite(tokensPerSecond)) {
            line.add(withUnit(tokensPerSecond) + " tok/s");
        }
        OptionalDouble secondsPerStep = eta.secondsPerStep();
        if (secondsPerStep.isPresent()) {
            line.add(stepSeconds(secondsPerStep.getAsDouble()) + " s/step");
        }
        OptionalDouble remaining = eta.remainingSeconds(record.step());
        line.add("ETA " + (remaining.isPresent() ? duration(remaining.getAsDouble()) : "?"));
        double accuracy = record.number(StepRecord.EVAL_ACCURACY);
        if (Double.isFinite(accuracy)) {
            line.add("eval " + fixed(accuracy, 2));
        }
        return line.toString();
    }

    /** {@code v} with a k or M suffix: 850 → "850", 1234 → "1.2k", 56789 → "56.8k", 3.2e6 → "3.2M". */
    static String withUnit(double v) {
        double a = Math.abs(v);
        if (Math.round(a) < 1000) {
            return fixed(v, 0);
        }
        if (Math.round(a / 100) < 10_000) { // below 999.95k once rounded to one decimal
            return fixed(v / 1e3, 1) + "k";
        }
        return fixed(v / 1e6, 1) + "M";
    }

    /** Seconds per step: one decimal from 1 s, two below ("0.35"), none from 100 s. */
    static String stepSeconds(double s) {
        if (s >= 99.95) {
            return fixed(s, 0);
        }
        return s >= 0.995 ? fixed(s, 1) : fixed(s, 2);
    }

    /** A duration rounded to whole seconds: "40s", "6m40s", "1h05m", "2d03h" (the two largest units). */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        long m = Math.round(seconds / 60);
        if (m < 24 * 60) {
            return String.format(Locale.ROOT, "%dh%02dm", m / 60, m % 60);
        }
        long h = Math.round(seconds / 3600);
        return String.format(Locale.ROOT, "%dd%02dh", h / 24, h % 24);
    }

    /**
     * Three significant digits without trailing zeros, plain from 0.001 to below 1e6 ("0.003", "0.0123", "1.5"),
     * scientific below ("3.45e-4").
     */
    static String significant(double v) {
        if (v == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
        double a = Math.abs(rounded.doubleValue());
        if (a >= 1e-3 && a < 1e6) {
            return rounded.toPlainString();
        }
        int exponent = rounded.precision() - rounded.scale() - 1;
        BigDecimal mantissa = rounded.movePointLeft(exponent);
        return mantissa.toPlainString() + "e" + exponent;
    }

    private static String fixed(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        // "-0.00" reads as a sign error on the console
        return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
    }
}
