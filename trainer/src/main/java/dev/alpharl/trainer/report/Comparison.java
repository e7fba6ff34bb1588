package dev.alpharl.trainer.report;

import dev.alpharl.trainer.eval.EvalResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * An accelerated run set against a full run: the base accuracy both start from, gain retained and speedups.
 *
 * @param base the initial model's evaluation: the full run's base_eval, else the accelerated run's
 * @param gainRetained present when the base and both final evaluations are known
 * @param stepSpeedup full-run steps ÷ accelerated-run steps
 * @param wallSpeedup full-run wall time ÷ accelerated-run wall time
 * @param warnings the runs' reading warnings and any disagreement between them
 */
public record Comparison(
        RunDirectory accelerated,
        RunDirectory full,
        Optional<EvalResult> base,
        Optional<GainRetained> gainRetained,
        OptionalDouble stepSpeedup,
        OptionalDouble wallSpeedup,
        List<String> warnings) {
    /** Base evaluations further apart than this many standard errors are reported as disagreeing. */
    static final double BASE_AGREEMENT_SE = 2.0;

    public Comparison {
        warnings = List.copyOf(warnings);
    }

    public static Comparison of(RunDirectory accelerated, RunDirectory full) {
        List<String> warnings = new ArrayList<>(accelerated.warnings());
        warnings.addAll(full.warnings());
        RunSummary a = accelerated.summary();
        RunSummary b = full.summary();
        if (a.baseEval().isPresent() && b.baseEval().isPresent()) {
            EvalResult baseA = a.baseEval().get();
            EvalResult baseB = b.baseEval().get();
            double se = Math.sqrt(baseA.variance() + baseB.variance());
            double difference = Math.abs(baseA.accuracy() - baseB.accuracy());
            if (difference > BASE_AGREEMENT_SE * se) {
                warnings.add(String.format(
                        Locale.ROOT,
                        "the base evaluations differ: %s %.4f (n=%d) vs %s %.4f (n=%d), %.1f standard errors apart; "
                                + "the full run's is used (were the runs started from the same model and eval set?)",
                        accelerated.name(),
                        baseA.accuracy(),
                        baseA.graded(),
                        full.name(),
                        baseB.accuracy(),
                        baseB.graded(),
                        difference / se));
            }
        }
        Optional<EvalResult> base = b.baseEval().or(a::baseEval);
        Optional<GainRetained> gain = Optional.empty();
        if (base.isPresent() && a.finalEval().isPresent() && b.finalEval().isPresent()) {
            gain = Optional.of(
                    GainRetained.of(a.finalEval().get(), b.finalEval().get(), base.get()));
        }
        return new Comparison(
                accelerated,
                full,
                base,
                gain,
                ratio(b.steps(), a.steps()),
                ratio(b.wallTimeS(), a.wallTimeS()),
                warnings);
    }

    /** numerator ÷ denominator, empty unless both are finite and the denominator positive. */
    static OptionalDouble ratio(double numerator, double denominator) {
        return Double.isFinite(numerator) && Double.isFinite(denominator) && denominator > 0
                ? OptionalDouble.of(numerator / denominator)
                : OptionalDouble.empty();
    }

    /** Why gain retained has no value, or empty when it has one. */
    public Optional<String> gainRetainedUndefinedReason() {
        if (base.isEmpty()) {
            return Optional.of(
                    "undefined: neither run has a base evaluation (summary base_eval or a step-0 eval line)");
        }
        for (RunDirectory run : List.of(accelerated, full)) {
            if (run.summary().finalEval().isEmpty()) {
                return Optional.of("undefined: " + run.name() + " has no final evaluation");
            }
        }
        if (gainRetained.orElseThrow().estimate().isEmpty()) {
            return Optional.of(String.format(
                    Locale.ROOT,
                    "undefined: the full run gained nothing (base %.4f, full %.4f)",
                    base.get().accuracy(),
                    full.summary().finalEval().get().accuracy()));
        }
        return Optional.empty();
    }
}
