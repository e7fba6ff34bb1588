package dev.alpharl.trainer.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.alpharl.trainer.eval.EvalResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

    /** summary.json as plain maps, numbers as Long or Double; NaN and Infinity are accepted as numbers. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build();

    /** Reads {@code summaryFile} when it exists, else falls back to {@code metrics}; a base evaluation missing
     * from the summary is taken from a step-0 evaluation line. */
    public static RunSummary read(Path summaryFile, MetricsLog metrics) {
        if (!Files.exists(summaryFile)) {
            return fromMetrics(metrics);
        }
        Object parsed;
        try {
            parsed = JSON.readValue(Files.readString(summaryFile), Object.class);
        } catch (JsonProcessingException e) {
            throw new RunDirectoryException(summaryFile + ": not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new RunDirectoryException(summaryFile + ": cannot read: " + e.getMessage(), e);
        }
        String where = summaryFile.toString();
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new RunDirectoryException(where + ": expected a JSON object, got " + kind(parsed));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) map;
        int steps = MetricsLog.integer(root, "steps", where)
                .orElseThrow(() -> missing(where, "steps", "the number of RL steps run"));
        double wallTime = MetricsLog.number(root, "wall_time_s", where);
        if (Double.isNaN(wallTime)) {
            throw missing(where, "wall_time_s", "wall seconds");
        }
        Object tokens = root.get("tokens");
        if (tokens != null && !(tokens instanceof Long || tokens instanceof Integer)) {
            throw new RunDirectoryException(where + ": tokens must be an integer, got " + tokens);
        }
        Optional<EvalResult> base = eval(root, "base_eval", where).or(metrics::stepZeroEval);
        return new RunSummary(
                steps,
                wallTime,
                tokens == null ? OptionalLong.empty() : OptionalLong.of(((Number) tokens).longValue()),
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

    private static Optional<EvalResult> eval(Map<String, Object> root, String key, String where) {
        Object value = root.get(key);
        if (value == null) {
            return Optional.empty();
        }
        String at = where + ": " + key;
        Map<String, Object> node = object(value);
        if (node == null) {
            throw new RunDirectoryException(at + " must be an object {accuracy, n} or null, got " + value);
        }
        double accuracy = MetricsLog.number(node, "accuracy", at);
        int n = MetricsLog.integer(node, "n", at).orElseThrow(() -> missing(at, "n", "the number of graded samples"));
        if (!(accuracy >= 0 && accuracy <= 1) || n <= 0) {
            throw new RunDirectoryException(at + " must have accuracy in [0, 1] and n > 0, got " + node);
        }
        return Optional.of(EvalResult.ofAccuracy(accuracy, n));
    }

    private static Optional<AlphaRlInfo> alphaRl(Map<String, Object> root, String where) {
        Object value = root.get("alpharl");
        if (value == null) {
            return Optional.empty();
        }
        String at = where + ": alpharl";
        Map<String, Object> node = object(value);
        if (node == null) {
            throw new RunDirectoryException(at + " must be an object or null, got " + value);
        }
        if (!(node.get("method") instanceof String method)) {
            throw missing(at, "method", "alpharl or relex");
        }
        int window =
                MetricsLog.integer(node, "window", at).orElseThrow(() -> missing(at, "window", "the window end step"));
        int target = MetricsLog.integer(node, "target_step", at)
                .orElseThrow(() -> missing(at, "target_step", "the predicted step"));
        return Optional.of(new AlphaRlInfo(method, window, target));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private static String kind(Object parsed) {
        return parsed instanceof List<?>
                ? "ARRAY"
                : parsed == null ? "NULL" : parsed.getClass().getSimpleName();
    }

    private static RunDirectoryException missing(String where, String key, String expected) {
        return new RunDirectoryException(where + ": missing key " + key + " (" + expected + ")");
    }
}
