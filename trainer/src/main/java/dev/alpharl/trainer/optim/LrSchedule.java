package dev.alpharl.trainer.optim;

import java.util.Locale;

/**
 * Learning rate as a function of the number of optimizer steps already taken (0 for the first update), with the
 * semantics of Hugging Face's {@code get_*_schedule_with_warmup} LambdaLR schedules that verl and TRL use:
 * <pre>
 *   warmup (s &lt; W):  lr · s / max(1, W)                      (so the very first update has lr 0 when W &gt; 0)
 *   constant:         lr
 *   linear:           lr · (m + (1 − m) · max(0, (N − s) / max(1, N − W)))
 *   cosine:           lr · (m + (1 − m) · max(0, ½ (1 + cos(π · (s − W) / max(1, N − W)))))
 * </pre>
 * with N the total number of steps and m the minimum-lr ratio (0 in Hugging Face; verl's {@code min_lr_ratio}).
 */
public record LrSchedule(Kind kind, double baseLr, int warmupSteps, int totalSteps, double minLrRatio) {

    /** The decay after warmup. */
    public enum Kind {
        CONSTANT,
        LINEAR,
        COSINE;

        /** Parses a config value such as {@code cosine}. */
        public static Kind parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown lr schedule '" + name + "': expected constant, linear or cosine");
            }
        }
    }

    public LrSchedule {
        if (baseLr < 0 || warmupSteps < 0 || totalSteps < 0 || minLrRatio < 0 || minLrRatio > 1) {
            throw new IllegalArgumentException("invalid lr schedule " + kind + " lr=" + baseLr + " warmup="
                    + warmupSteps + " total=" + totalSteps + " min-ratio=" + minLrRatio);
        }
    }

    /** The learning rate of the update that follows {@code step} completed updates. */
    public double lr(long step) {
        if (step < warmupSteps) {
            return baseLr * step / Math.max(1, warmupSteps);
        }
        double span = Math.max(1, totalSteps - warmupSteps);
        double decay = switch (kind) {
            case CONSTANT -> 1.0;
            case LINEAR -> Math.max(0.0, (totalSteps - step) / span);
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * (step - warmupSteps) / span)));
        };
        return kind == Kind.CONSTANT ? baseLr : baseLr * (minLrRatio + (1.0 - minLrRatio) * decay);
    }
}
