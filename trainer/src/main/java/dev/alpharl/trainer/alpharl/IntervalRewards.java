package dev.alpharl.trainer.alpharl;

import dev.alpharl.trainer.metrics.MetricsJsonl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint's rollout-reward response as the trainer's hook records a snapshot's y (ALPHARL.md §2): the mean of
 * {@code reward/mean} over the steps since the previous checkpoint, that checkpoint's step included,
 * <pre>  y_i = mean of r_s for s in (s_{i−1}, s_i],   s_{−1} = 0</pre>
 */
public final class IntervalRewards {

    private IntervalRewards() {}

    /** {@code reward/mean} of every step of a run's {@code metrics.jsonl} that has one. */
    public static Map<Long, Double> read(Path metrics) throws IOException {
        Map<Long, Double> out = new LinkedHashMap<>();
        for (Map<String, Object> line : MetricsJsonl.read(metrics)) {
            if (line.get("reward/mean") instanceof Number r && line.get("step") instanceof Number s) {
                out.put(s.longValue(), r.doubleValue());
            }
        }
        return out;
    }

    /**
     * The interval means of increasing steps.
     *
     * @throws IllegalArgumentException when a step of an interval has no reward
     */
    public static double[] means(Map<Long, Double> rewardByStep, long[] steps) {
        double[] y = new double[steps.length];
        long previous = 0;
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] <= previous) {
                throw new IllegalArgumentException(
                        "steps must increase from 1, got " + steps[i] + " after " + previous);
            }
            double sum = 0;
            for (long s = previous + 1; s <= steps[i]; s++) {
                Double r = rewardByStep.get(s);
                if (r == null) {
                    throw new IllegalArgumentException("no reward/mean for step " + s);
                }
                sum += r;
            }
            y[i] = sum / (steps[i] - previous);
            previous = steps[i];
        }
        return y;
    }
}
