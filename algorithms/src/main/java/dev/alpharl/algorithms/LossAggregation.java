package dev.alpharl.algorithms;

/**
 * How the masked per-token loss matrix {@code m·L} becomes a scalar (names as verl's {@code loss_agg_mode}).
 * N_tok and N_seq are counted over the whole optimizer step (see {@link AggregationPlan}); N_seq counts only
 * sequences with at least one valid token.
 */
public enum LossAggregation {
    /** {@code Σ_{i,t} mL / N_tok} (DAPO, verl default, TRL "dapo"). */
    TOKEN_MEAN("token-mean"),
    /** {@code (1/N_seq) Σ_i [Σ_t mL / |o_i|]} (original GRPO, TRL "grpo"). */
    SEQ_MEAN_TOKEN_MEAN("seq-mean-token-mean"),
    /** {@code (1/N_seq) Σ_i Σ_t mL}. */
    SEQ_MEAN_TOKEN_SUM("seq-mean-token-sum"),
    /** Dr.GRPO's constant normaliser: {@code Σ_{i,t} mL / C}, {@code C = B_cfg·L_max} from the config. */
    SEQ_MEAN_TOKEN_SUM_NORM("seq-mean-token-sum-norm");

    private final String configName;

    LossAggregation(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static LossAggregation fromConfigName(String name) {
        return ConfigNames.parse(LossAggregation.class, "loss aggregation", name, e -> new String[] {e.configName});
    }
}
