package dev.alpharl.rewards;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * base reward + {@link OverlongPenalty#penalty} of the completion's token length, read from the sample field
 * {@link RewardFunction#COMPLETION_TOKENS}. Without a base it is the penalty alone (to be added by a
 * {@link WeightedSum}).
 */
public final class OverlongReward implements RewardFunction {
    private final RewardFunction base;
    private final int maxLength;
    private final int buffer;
    private final double factor;

    /** @param base the shaped reward, or null for the penalty alone */
    public OverlongReward(RewardFunction base, int maxLength, int buffer, double factor) {
        OverlongPenalty.penalty(0, maxLength, buffer, factor); // validates the parameters now, not at the first call
        this.base = base;
        this.maxLength = maxLength;
        this.buffer = buffer;
        this.factor = factor;
    }

    @Override
    public String name() {
        return "overlong";
    }

    @Override
    public RewardResult score(String prompt, String completion, Map<String, Object> fields) {
        Object tokens = fields.get(COMPLETION_TOKENS);
        if (!(tokens instanceof Number n)) {
            throw new IllegalArgumentException("overlong shaping needs the sample field '" + COMPLETION_TOKENS
                    + "' (completion length in tokens), got "
                    + (tokens == null ? "nothing" : tokens.getClass().getSimpleName() + " " + tokens));
        }
        double penalty = OverlongPenalty.penalty(n.intValue(), maxLength, buffer, factor);
        Map<String, Object> diagnostics = new LinkedHashMap<>();
        diagnostics.put("completion_tokens", n.intValue());
        diagnostics.put("overlong_penalty", penalty);
        if (base == null) return RewardResult.of(penalty, diagnostics);
        RewardResult b = base.score(prompt, completion, fields);
        diagnostics.put("base_score", b.score());
        b.diagnostics().forEach((k, v) -> diagnostics.put(base.name() + "/" + k, v));
        return new RewardResult(b.score() + penalty, diagnostics, b.error(), b.errorMessage());
    }

    @Override
    public RewardCounts counts() {
        return base == null ? RewardCounts.NONE : base.counts();
    }
}
