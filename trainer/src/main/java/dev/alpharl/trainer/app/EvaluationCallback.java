package dev.alpharl.trainer.app;

import dev.alpharl.trainer.checkpoint.StateReader;
import dev.alpharl.trainer.checkpoint.StateWriter;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.metrics.StepRecord;
import dev.alpharl.trainer.rl.RunEnd;
import dev.alpharl.trainer.rl.RunStart;
import dev.alpharl.trainer.rl.StepEnd;
import dev.alpharl.trainer.rl.TrainingCallback;
import dev.alpharl.trainer.rl.TrainingLoop;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Held-out evaluation of the policy (data.eval): at step 0 of a fresh run, every {@code trainer.eval-every} steps
 * (attached to the step for the callbacks after this one), and at the end when the last step did not evaluate. It
 * reports {@code base_eval} and {@code final_eval} in summary.json and keeps both across resumes.
 */
final class EvaluationCallback implements TrainingCallback {

    private static final Logger LOG = LogManager.getLogger(EvaluationCallback.class);

    /** The evaluations a resumed run still reports: step 0's and the latest (as {@link EvalResult#toMap()}). */
    record Evaluations(Map<String, Object> base, Map<String, Object> last) {}

    private final Evaluator evaluator;
    private final int evalEvery;
    private TrainingLoop loop;
    private EvalResult base;
    private EvalResult last;

    /** @param evaluator the eval set's evaluator, or null when the config has none (then this reports nulls) */
    EvaluationCallback(Evaluator evaluator, int evalEvery) {
        this.evaluator = evaluator;
        this.evalEvery = evalEvery;
    }

    @Override
    public void onStart(RunStart start) {
        loop = start.loop();
        if (start.resumed() || evaluator == null) {
            return;
        }
        base = loop.evaluate(evaluator, loop.policy());
        last = base;
        loop.emit(StepRecord.builder(0, 0)
                .eval(base.accuracy(), base.graded())
                .put("eval/greedy_accuracy", base.greedyAccuracy())
                .build());
        LOG.info(String.format(Locale.ROOT, "step 0 | eval %.4f (n=%d)", base.accuracy(), base.graded()));
    }

    @Override
    public boolean afterStep(StepEnd end) {
        if (evaluator != null && evalEvery > 0 && end.step() % evalEvery == 0) {
            last = loop.evaluate(evaluator, end.policy());
            end.evaluated(last);
        }
        return false;
    }

    @Override
    public void onEnd(RunEnd end) {
        if (!end.stoppedByCallback()
                && evaluator != null
                && (last == null || evalEvery == 0 || end.step() % evalEvery != 0)) {
            last = loop.evaluate(evaluator, loop.policy());
        }
        end.summary().put("base_eval", map(base));
        end.summary().put("final_eval", map(last));
    }

    @Override
    public String stateKey() {
        return "evaluations";
    }

    @Override
    public void saveState(StateWriter out) {
        out.json(new Evaluations(map(base), map(last)));
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        Evaluations e = in.json(Evaluations.class);
        base = e.base() == null ? null : EvalResult.fromMap(e.base());
        last = e.last() == null ? null : EvalResult.fromMap(e.last());
    }

    private static Map<String, Object> map(EvalResult e) {
        return e == null ? null : e.toMap();
    }
}
