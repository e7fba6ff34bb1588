package dev.alpharl.datasets.source;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.datasets.jsonl.JsonlReader;
import dev.alpharl.datasets.jsonl.RecordFormat;
import dev.alpharl.datasets.synthetic.ArithmeticTask;
import dev.alpharl.datasets.synthetic.CountdownTask;
import dev.alpharl.datasets.synthetic.ScratchpadAdditionTask;
import dev.alpharl.datasets.synthetic.Split;
import dev.alpharl.datasets.synthetic.SyntheticTask;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Builds a dataset from a config map (a train or eval entry of the config's {@code data} section). Keys:
 * <pre>
 * kind: jsonl
 *   path: FILE                     (relative paths resolve against baseDir; .gz is decompressed)
 *   format: gsm8k|math|dapo|generic   (default generic)
 *   prompt-field / answer-field / id-field: dotted paths, generic only (defaults prompt / answer / id)
 *   limit: N                       (optional: the first N records)
 * kind: synthetic
 *   task: arithmetic|countdown|scratchpad-addition, size: N, seed (default 0), split: train|held-out (default train),
 *   held-out-fraction (default 0.1)
 *   arithmetic: min-digits (1), max-digits (3), operands (2), ops ("+-", any of "+-*")
 *   countdown:  count (4), max-number (25), max-target (100), ops ("+-*&#47;")
 *   scratchpad-addition: min-digits (3), max-digits (5), flawed-fraction (0.5): two operands, a written column
 *                        chain in field "solution" (what sft trains on), correct or carry-forgetting
 * </pre>
 * Unknown kinds, formats, tasks, keys or bad values are {@link DatasetException}s naming {@code where.key}.
 */
public final class DatasetSpec {

    public static final double DEFAULT_HELD_OUT_FRACTION = 0.1;

    private DatasetSpec() {}

    /**
     * @param spec    the entry's keys and values
     * @param baseDir directory that relative paths are resolved against (the config file's directory)
     * @param where   the entry's config location for messages, e.g. {@code "data.train"}
     */
    public static List<PromptSample> load(Map<String, ?> spec, Path baseDir, String where) {
        SpecOptions o = new SpecOptions(spec, where);
        String kind = o.choice("kind", null, List.of("jsonl", "synthetic"));
        List<PromptSample> samples = kind.equals("jsonl") ? jsonl(o, baseDir) : synthetic(o);
        o.rejectUnknown();
        return samples;
    }

    private static List<PromptSample> jsonl(SpecOptions o, Path baseDir) {
        Path path = baseDir.resolve(o.requireString("path"));
        RecordFormat format = switch (o.choice("format", "generic", List.of("gsm8k", "math", "dapo", "generic"))) {
            case "gsm8k" -> RecordFormat.gsm8k();
            case "math" -> RecordFormat.math();
            case "dapo" -> RecordFormat.dapo();
            default ->
                RecordFormat.generic(
                        o.string("prompt-field", "prompt"),
                        o.string("answer-field", "answer"),
                        o.string("id-field", "id"));
        };
        int limit = o.intValue("limit", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        o.rejectUnknown(); // before reading a possibly large file
        List<PromptSample> samples = JsonlReader.read(path, format);
        return samples.size() > limit ? List.copyOf(samples.subList(0, limit)) : samples;
    }

    private static List<PromptSample> synthetic(SpecOptions o) {
        String taskName = o.choice("task", null, List.of("arithmetic", "countdown", "scratchpad-addition"));
        long seed = o.longValue("seed", 0L);
        int size = o.intValue("size", null, 1, Integer.MAX_VALUE);
        Split split = Split.parse(o.choice("split", "train", List.of("train", "held-out")));
        double heldOut = o.doubleValue("held-out-fraction", DEFAULT_HELD_OUT_FRACTION);
        SyntheticTask task;
        if (taskName.equals("arithmetic")) {
            int minDigits = o.intValue("min-digits", 1, 1, ArithmeticTask.MAX_DIGITS);
            int maxDigits = o.intValue("max-digits", 3, 1, ArithmeticTask.MAX_DIGITS);
            int operands = o.intValue("operands", 2, 2, 10);
            String ops = o.string("ops", "+-");
            task = prefixErrors(o, () -> new ArithmeticTask(minDigits, maxDigits, operands, ops));
        } else if (taskName.equals("scratchpad-addition")) {
            int minDigits = o.intValue("min-digits", 3, 1, ScratchpadAdditionTask.MAX_DIGITS);
            int maxDigits = o.intValue("max-digits", 5, 1, ScratchpadAdditionTask.MAX_DIGITS);
            double flawed = o.doubleValue("flawed-fraction", 0.5);
            task = prefixErrors(o, () -> new ScratchpadAdditionTask(minDigits, maxDigits, flawed));
        } else {
            int count = o.intValue("count", 4, 2, 6);
            int maxNumber = o.intValue("max-number", 25, 1, 1000);
            int maxTarget = o.intValue("max-target", 100, 1, Integer.MAX_VALUE);
            String ops = o.string("ops", "+-*/");
            task = prefixErrors(o, () -> new CountdownTask(count, maxNumber, maxTarget, ops));
        }
        o.rejectUnknown();
        return prefixErrors(o, () -> task.samples(split, seed, size, heldOut));
    }

    /** Runs {@code body}, prefixing the config location to the message of a DatasetException it throws. */
    private static <T> T prefixErrors(SpecOptions o, java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (DatasetException e) {
            throw new DatasetException(o.where() + ": " + e.getMessage(), e);
        }
    }
}
