package dev.alpharl.trainer.report;

import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.metrics.MetricsJsonl;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run's metrics.jsonl, one line per step in step order.
 *
 * <p>Reading rules: a torn last line (a run killed mid-write) is dropped with a warning; a malformed line elsewhere
 * is an error. Two consecutive lines of the same step are merged (the later value of a key wins), and a step lower
 * than the previous one (the run resumed from an earlier checkpoint) drops the lines it supersedes, with a warning.
 */
public record MetricsLog(Path file, List<MetricsLine> lines, List<String> warnings) {
    public MetricsLog {
        lines = List.copyOf(lines);
        warnings = List.copyOf(warnings);
    }

    /** Reads {@code file}; throws RunDirectoryException when it is missing or malformed. */
    public static MetricsLog read(Path file) {
        List<String> warnings = new ArrayList<>();
        List<MetricsJsonl.Line> raw;
        try {
            raw = MetricsJsonl.readLines(file, warnings::add);
        } catch (NoSuchFileException e) {
            throw new RunDirectoryException(file + ": no such file (a run directory holds metrics.jsonl)");
        } catch (IOException e) {
            throw new RunDirectoryException(e.getMessage(), e);
        }
        List<MetricsLine> lines = new ArrayList<>();
        for (MetricsJsonl.Line line : raw) {
            String where = file + ":" + line.number();
            append(lines, parse(line.values(), where), where, warnings);
        }
        if (lines.isEmpty()) {
            throw new RunDirectoryException(file + ": no metrics lines (expected one JSON object per step)");
        }
        return new MetricsLog(file, lines, warnings);
    }

    private static void append(List<MetricsLine> lines, MetricsLine line, String where, List<String> warnings) {
        if (lines.isEmpty()) {
            lines.add(line);
            return;
        }
        MetricsLine previous = lines.get(lines.size() - 1);
        if (line.step() == previous.step()) {
            lines.set(lines.size() - 1, merge(previous, line));
            return;
        }
        if (line.step() < previous.step()) {
            int dropped = 0;
            while (!lines.isEmpty() && lines.get(lines.size() - 1).step() >= line.step()) {
                lines.remove(lines.size() - 1);
                dropped++;
            }
            warnings.add(where + ": step " + line.step() + " after step " + previous.step()
                    + " (a resume): dropped the " + dropped + " superseded line(s)");
        }
        lines.add(line);
    }

    private static MetricsLine merge(MetricsLine a, MetricsLine b) {
        boolean bEval = b.hasEval();
        return new MetricsLine(
                b.step(),
                later(a.timeS(), b.timeS()),
                later(a.rewardMean(), b.rewardMean()),
                later(a.tokensTotal(), b.tokensTotal()),
                bEval ? b.evalAccuracy() : a.evalAccuracy(),
                bEval ? b.evalN() : a.evalN());
    }

    private static double later(double earlier, double later) {
        return Double.isNaN(later) ? earlier : later;
    }

    private static MetricsLine parse(Map<String, Object> node, String where) {
        int step = integer(node, "step", where)
                .orElseThrow(() -> new RunDirectoryException(where + ": missing key step (an integer)"));
        if (!node.containsKey("time_s")) {
            throw new RunDirectoryException(where + ": missing key time_s (wall seconds since the run started)");
        }
        double accuracy = number(node, "eval/accuracy", where);
        int evalN = 0;
        if (!Double.isNaN(accuracy)) {
            if (accuracy < 0 || accuracy > 1) {
                throw new RunDirectoryException(where + ": eval/accuracy must be in [0, 1], got " + accuracy);
            }
            evalN = integer(node, "eval/n", where)
                    .orElseThrow(() -> new RunDirectoryException(
                            where + ": eval/accuracy without eval/n (the number of graded samples)"));
            if (evalN <= 0) {
                throw new RunDirectoryException(where + ": eval/n must be positive, got " + evalN);
            }
        }
        return new MetricsLine(
                step,
                number(node, "time_s", where),
                number(node, "reward/mean", where),
                number(node, "tokens/total", where),
                accuracy,
                evalN);
    }

    /** The value of a numeric key; NaN when absent or null (the trainer writes non-finite values as null). */
    static double number(Map<String, Object> node, String key, String where) {
        Object value = node.get(key);
        if (value == null) {
            return Double.NaN;
        }
        if (!(value instanceof Number n)) {
            throw new RunDirectoryException(where + ": " + key + " must be a number or null, got " + quoted(value));
        }
        return n.doubleValue();
    }

    /** The value of an integer key; empty when absent or null. */
    static Optional<Integer> integer(Map<String, Object> node, String key, String where) {
        Object value = node.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Number n)
                || n.doubleValue() != Math.rint(n.doubleValue())
                || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
            throw new RunDirectoryException(where + ": " + key + " must be an integer, got " + quoted(value));
        }
        return Optional.of(n.intValue());
    }

    private static String quoted(Object value) {
        return value instanceof String text ? "\"" + text + "\"" : String.valueOf(value);
    }

    public MetricsLine last() {
        return lines.get(lines.size() - 1);
    }

    /** The last line that carries an evaluation. */
    public Optional<MetricsLine> lastEval() {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).hasEval()) {
                return Optional.of(lines.get(i));
            }
        }
        return Optional.empty();
    }

    /** The evaluation logged at step 0 (the initial model), if any. */
    public Optional<EvalResult> stepZeroEval() {
        return lines.stream()
                .filter(l -> l.step() == 0 && l.hasEval())
                .findFirst()
                .map(MetricsLine::eval);
    }

    /** The last line whose step is at most {@code step}. */
    public Optional<MetricsLine> atOrBefore(int step) {
        MetricsLine found = null;
        for (MetricsLine line : lines) {
            if (line.step() > step) {
                break;
            }
            found = line;
        }
        return Optional.ofNullable(found);
    }
}
