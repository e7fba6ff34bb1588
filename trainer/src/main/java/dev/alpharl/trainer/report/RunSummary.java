package dev.alpharl.trainer.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.alpharl.trainer.eval.EvalResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The totals of a run: from its summary.json (written when a run ends) or, for a run still going or killed, from
 * the last line of its metrics.jsonl ({@link #fromSummaryFile()} false).
 *
 * @param steps RL optimizer steps run
 * @param wallTimeS wall seconds, including time before a resume
 * @param tokens rollout + train tokens, when known
 * @param baseEval evaluation of the initial model (step 0)
 * @param finalEval evaluation of the final model (for an accelerated run: the predicted model)
 * @param alphaRl the acceleration, for an accelerated run whose summary says so
 */
public record RunSummary(
        int steps,
        double wallTimeS,
        OptionalLong tokens,
        Optional<EvalResult> baseEval,
        Optional<EvalResult> finalEval,
        Optional<AlphaRlInfo> alphaRl,
        boolean fromSummaryFile) {

    /** Reads {@code summaryFile} when it exists, else falls back to {@code metrics}; a base evaluation missing
     * from the summary is taken from a step-0 evaluation line. */
    public static RunSummary read(Path summaryFile, MetricsLog metrics) {
        if (!Files.exists(summaryFile)) {
            return fromMetrics(metrics);
        }
        JsonNode root;
        try {
            root = MetricsLog.JSON.readTree(Files.readString(summaryFile));
        } catch (JsonProcessingException e) {
            throw new RunDirectoryException(summaryFile + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RunDirectoryException(summaryFile + ": cannot read: " + e.getMessage(), e);
        }
        String where = summaryFile.toString();
        if (!root.isObject()) {
            throw new RunDirectoryException(where + ": expected a JSON object, got " + root.getNodeType());
        }
        int steps = MetricsLog.integer(root, "steps", where)
                .orElseThrow(() -> missing(where, "steps", "the number of RL steps run"));
        double wallTime = MetricsLog.number(root, "wall_time_s", where);
        if (Double.isNaN(wallTime)) {
            throw missing(where, "wall_time_s", "wall seconds");
        }
        JsonNode tokens = root.get("tokens");
        if (tokens != null && !tokens.isNull() && !tokens.canConvertToLong()) {
            throw new RunDirectoryException(where + ": tokens must be an integer, got " + tokens);
        }
        Optional<EvalResult> base = eval(root, "base_eval", where).or(metrics::stepZeroEval);
        return new RunSummary(
                steps,
                wallTime,
                tokens == null || tokens.isNull() ? OptionalLong.empty() : OptionalLong.of(tokens.longValue()),
                base,
                eval(root, "final_eval", where),
                alphaRl(root, where),
                true);
    }

    /** Totals of a run without summary.json: its last metrics line and last evaluation line. */
    static RunSummary fromMetrics(MetricsLog metrics) {
        MetricsLine last = metrics.last();
        OptionalLong tokens = Double.isNaN(last.tokensTotal())
                ? OptionalLong.empty()
                : OptionalLong.of(Math.round(last.tokensTotal()));
        Optional<EvalResult> finalEval =
                metrics.lastEval().filter(l -> l.step() > 0).map(MetricsLine::eval);
        return new RunSummary(
                last.step(), last.timeS(), tokens, metrics.stepZeroEval(), finalEval, Optional.empty(), false);
    }

    private static Optional<EvalResult> eval(JsonNode root, String key, String where) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        String at = where + ": " + key;
        if (!node.isObject()) {
            throw new RunDirectoryException(at + " must be an object {accuracy, n} or null, got " + node);
        }
        double accuracy = MetricsLog.number(node, "accuracy", at);
        int n = MetricsLog.integer(node, "n", at).orElseThrow(() -> missing(at, "n", "the number of graded samples"));
        if (!(accuracy >= 0 && accuracy <= 1) || n <= 0) {
            throw new RunDirectoryException(at + " must have accuracy in [0, 1] and n > 0, got " + node);
        }
        return Optional.of(EvalResult.ofAccuracy(accuracy, n));
    }

    private static Optional<AlphaRlInfo> alphaRl(JsonNode root, String where) {
        JsonNode node = root.get("alpharl");
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        String at = where + ": alpharl";
        if (!node.isObject()) {
            throw new RunDirectoryException(at + " must be an object or null, got " + node);
        }
        JsonNode method = node.get("method");
        if (method == null || !method.isTextual()) {
            throw missing(at, "method", "alpharl or relex");
        }
        int window =
                MetricsLog.integer(node, "window", at).orElseThrow(() -> missing(at, "window", "the window end step"));
        int target = MetricsLog.integer(node, "target_step", at)
                .orElseThrow(() -> missing(at, "target_step", "the predicted step"));
        return Optional.of(new AlphaRlInfo(method.asText(), window, target));
    }

    private static RunDirectoryException missing(String where, String key, String expected) {
        return new RunDirectoryException(where + ": missing key " + key + " (" + expected + ")");
    }
}
