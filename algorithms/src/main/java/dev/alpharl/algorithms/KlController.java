package dev.alpharl.algorithms;

/**
 * The KL coefficient β and its update rule. Controllers are immutable values: {@link #update} returns the next
 * state, which the trainer checkpoints.
 */
public sealed interface KlController {
    /** verl's adaptive defaults. */
    double DEFAULT_TARGET = 0.1;

    double DEFAULT_HORIZON = 10_000;

    double beta();

    /** The controller after a step that observed mean KL {@code observedKl} over {@code samples} samples. */
    KlController update(double observedKl, long samples);

    static KlController fixed(double beta) {
        return new Fixed(beta);
    }

    static KlController adaptive(double initialBeta, double target, double horizon) {
        return new Adaptive(initialBeta, target, horizon);
    }

    /** A constant β. */
    record Fixed(double beta) implements KlController {
        public Fixed {
            requireBeta(beta);
        }

        @Override
        public KlController update(double observedKl, long samples) {
            return this;
        }
    }

    /**
     * Ziegler et al.'s proportional controller:
     * {@code e = clip(KL/target − 1, −0.2, 0.2);  β ← β·(1 + e·n/horizon)}.
     */
    record Adaptive(double beta, double target, double horizon) implements KlController {
        public Adaptive {
            requireBeta(beta);
            if (!(target > 0) || !(horizon > 0)) {
                throw new IllegalArgumentException(
                        "adaptive KL needs target > 0 and horizon > 0, got target " + target + ", horizon " + horizon);
            }
        }

        @Override
        public KlController update(double observedKl, long samples) {
            if (!Double.isFinite(observedKl) || samples < 0) {
                throw new IllegalArgumentException(
                        "adaptive KL update needs a finite KL and samples >= 0, got " + observedKl + ", " + samples);
            }
            double error = Math.max(-0.2, Math.min(0.2, observedKl / target - 1));
            return new Adaptive(beta * (1 + error * samples / horizon), target, horizon);
        }
    }

    private static void requireBeta(double beta) {
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("KL coefficient beta must be finite and >= 0, got " + beta);
        }
    }
}
