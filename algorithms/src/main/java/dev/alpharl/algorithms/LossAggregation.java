package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;

/**
 * How the masked per-token loss matrix {@code m·L} becomes a scalar (ALGORITHMS.md §3; names as verl's
 * {@code loss_agg_mode}): a micro-batch total divided by a normaliser that is counted once over the whole
 * optimizer step ({@link AggregationPlan}). Implementations are registered in {@link Algorithms#AGGREGATIONS}.
 */
public interface LossAggregation {

    /** What the step's normaliser counts. */
    enum Normaliser {
        /** N_tok, the valid tokens of the step. */
        TOKENS,
        /** N_seq, the sequences of the step with at least one valid token. */
        SEQUENCES,
        /** A constant from the config, C = sequences per step · max response tokens (Dr.GRPO). */
        CONSTANT
    }

    Normaliser normaliser();

    /** The micro-batch's total before division, from {@code masked = m·L} and the float mask {@code m}. */
    NDArray total(NDArray masked, NDArray m);

    /** {@code Σ_{i,t} m·L}. */
    static LossAggregation tokenSum(Normaliser normaliser) {
        return new LossAggregation() {
            @Override
            public Normaliser normaliser() {
                return normaliser;
            }

            @Override
            public NDArray total(NDArray masked, NDArray m) {
                return masked.sum();
            }
        };
    }

    /** {@code Σ_i [Σ_t m·L / max(|o_i|, 1)]}, divided by N_seq. */
    static LossAggregation sequenceMeans() {
        return new LossAggregation() {
            @Override
            public Normaliser normaliser() {
                return Normaliser.SEQUENCES;
            }

            @Override
            public NDArray total(NDArray masked, NDArray m) {
                return masked.sum(new int[] {1})
                        .div(Masked.lengths(m, masked).maximum(Constant.like(masked, 1)))
                        .sum();
            }
        };
    }
}
