package dev.alpharl.rewards;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * R = Σ_i w_i · R_i over its terms. Diagnostics hold each term's score as "{name}/score" and its diagnostics as
 * "{name}/{key}" (a repeated name gets "#2", "#3"…). The sum is marked failed when any term failed, with the
 * failing terms' messages; the failing term contributes its fallback score.
 */
public final class WeightedSum implements RewardFunction {

    public record Term(RewardFunction reward, double weight) {
        public Term {
            if (!Double.isFinite(weight))
                throw new IllegalArgumentException(
                        "weight of reward '" + reward.name() + "' must be finite, got " + weight);
        }
    }

    private final List<Term> terms;
    private final List<String> labels;

    public WeightedSum(List<Term> terms) {
        if (terms.isEmpty()) throw new IllegalArgumentException("a weighted sum needs at least one reward");
        this.terms = List.copyOf(terms);
        this.labels = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Term t : terms) {
            int n = seen.merge(t.reward().name(), 1, Integer::sum);
            labels.add(n == 1 ? t.reward().name() : t.reward().name() + "#" + n);
        }
    }

    public List<Term> terms() {
        return terms;
    }

    @Override
    public String name() {
        return "weighted_sum";
    }

    @Override
    public RewardResult score(String prompt, String completion, Map<String, Object> fields) {
        double total = 0;
        Map<String, Object> diagnostics = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < terms.size(); i++) {
            Term t = terms.get(i);
            RewardResult r = t.reward().score(prompt, completion, fields);
            total += t.weight() * r.score();
            String label = labels.get(i);
            diagnostics.put(label + "/score", r.score());
            r.diagnostics().forEach((k, v) -> diagnostics.put(label + "/" + k, v));
            if (r.error()) failures.add(r.errorMessage());
        }
        return new RewardResult(
                total, diagnostics, !failures.isEmpty(), failures.isEmpty() ? null : String.join("; ", failures));
    }

    @Override
    public RewardCounts counts() {
        RewardCounts sum = RewardCounts.NONE;
        for (Term t : terms) sum = sum.plus(t.reward().counts());
        return sum;
    }
}
