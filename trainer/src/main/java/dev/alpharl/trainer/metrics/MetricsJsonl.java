package dev.alpharl.trainer.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The {@code metrics.jsonl} sink of a run: one JSON object per step, keys in {@link StepRecord} order, numbers as
 * JSON numbers and non-finite numbers as {@code null} (key kept). Each line is written with one call and flushed, so
 * a crash loses at most the line being written; {@link #read} skips such a torn last line.
 *
 * <p>Steps must be appended in increasing order. A resumed run opens the file with {@link #resume}, which first drops
 * the lines after the resumed step (they were written after the checkpoint and will be recomputed), so that every
 * step appears exactly once.
 */
public final class MetricsJsonl implements Closeable {

    private static final Logger LOG = LogManager.getLogger(MetricsJsonl.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper READER = new ObjectMapper()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path file;
    private Writer out;
    /** Largest step in the file, -1 when it has none. */
    private long lastStep;

    private MetricsJsonl(Path file, long lastStep) throws IOException {
        this.file = file;
        this.lastStep = lastStep;
        this.out = openAppend(file);
    }

    /** Starts the metrics file of a new run, emptying an existing one. */
    public static MetricsJsonl create(Path file) throws IOException {
        createParent(file);
        if (Files.exists(file) && Files.size(file) > 0) {
            LOG.warn("{}: replacing the metrics of an earlier run", file);
        }
        Files.write(file, new byte[0]);
        return new MetricsJsonl(file, -1);
    }

    /**
     * Reopens the metrics file of a run resumed from the checkpoint of {@code resumedStep}: lines with a larger step are
     * removed (and a torn last line with them), the others are kept byte for byte. A missing file is created.
     */
    public static MetricsJsonl resume(Path file, long resumedStep) throws IOException {
        createParent(file);
        if (!Files.exists(file)) {
            Files.write(file, new byte[0]);
        }
        MetricsJsonl sink = new MetricsJsonl(file, -1);
        sink.truncateAfter(resumedStep);
        return sink;
    }

    public Path file() {
        return file;
    }

    /** The largest step written so far (including lines kept from before a resume), -1 when none. */
    public synchronized long lastStep() {
        return lastStep;
    }

    /** Appends one line for {@code record} and flushes it. */
    public synchronized void append(StepRecord record) throws IOException {
        if (out == null) {
            throw new IllegalStateException(file + " is closed");
        }
        if (record.step() <= lastStep) {
            throw new IllegalArgumentException(file + ": step " + record.step() + " written after step " + lastStep
                    + " (steps must increase; resume with MetricsJsonl.resume)");
        }
        out.write(toJsonLine(record.values()));
        out.flush();
        lastStep = record.step();
    }

    /**
     * Removes every line whose step is greater than {@code step}, then goes on appending after the kept lines. The
     * file is rewritten through a temporary sibling and an atomic move, so a crash leaves either version.
     */
    public synchronized void truncateAfter(long step) throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        StringBuilder kept = new StringBuilder();
        long maxKept = -1;
        int dropped = 0;
        for (Line line : parse(file)) {
            long lineStep = stepOf(line);
            if (lineStep <= step) {
                kept.append(line.text).append('\n');
                maxKept = Math.max(maxKept, lineStep);
            } else {
                dropped++;
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, kept, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (dropped > 0) {
            LOG.info("{}: removed {} line(s) after step {} (recomputed by the resumed run)", file, dropped, step);
        }
        lastStep = maxKept;
        out = openAppend(file);
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }

    /**
     * Reads a metrics file: one ordered map per line (integers as Long, other numbers as Double, {@code null} for
     * non-finite values). A torn last line (a crash while writing it) is ignored with a warning; a malformed line
     * elsewhere is an error naming the file and line.
     */
    public static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Line line : parse(file)) {
            rows.add(line.values);
        }
        return rows;
    }

    /** The JSON line (with its newline) for one record; non-finite floating-point values become null. */
    static String toJsonLine(Map<String, Object> values) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : values.entrySet()) {
                g.writeFieldName(e.getKey());
                writeValue(g, e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string failed", e);
        }
        return text.append('\n').toString();
    }

    private static void writeValue(JsonGenerator g, String key, Object v) throws IOException {
        if (v instanceof Double d) {
            if (Double.isFinite(d)) g.writeNumber(d);
            else g.writeNull();
        } else if (v instanceof Float f) {
            if (Float.isFinite(f)) g.writeNumber(f);
            else g.writeNull();
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof BigDecimal b) {
            g.writeNumber(b);
        } else if (v instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) g.writeNumber(d);
            else g.writeNull();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v == null) {
            g.writeNull();
        } else {
            throw new IllegalArgumentException(
                    "metric '" + key + "' has unsupported type " + v.getClass().getName());
        }
    }

    /** One line of a metrics file: its 1-based number, its text and its values. */
    public record Line(int number, String text, Map<String, Object> values) {}

    /** Lines of a metrics file whose every line carries an integer step; a torn last line is logged and dropped. */
    private static List<Line> parse(Path file) throws IOException {
        List<Line> lines = readLines(file, LOG::warn);
        for (Line line : lines) {
            stepOf(file, line);
        }
        return lines;
    }

    /**
     * The one reader of metrics files (the trainer's resume, the reports, the sweep): one {@link Line} per non-blank
     * line, values as {@link #read} gives them. A torn last line (a crash while writing it) is dropped and reported
     * to {@code onTornLine}; a malformed line elsewhere is an error naming the file and line.
     */
    public static List<Line> readLines(Path file, Consumer<String> onTornLine) throws IOException {
        List<String> texts = Files.readAllLines(file, StandardCharsets.UTF_8);
        int last = texts.size() - 1;
        while (last >= 0 && texts.get(last).isBlank()) {
            last--;
        }
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            String text = texts.get(i);
            if (text.isBlank()) {
                continue;
            }
            Map<String, Object> values;
            try {
                values = READER.readValue(text, LinkedHashMap.class);
            } catch (JsonProcessingException e) {
                if (i == last) {
                    onTornLine.accept(file + ":" + (i + 1) + ": ignored the torn last line (the run was stopped while "
                            + "writing it): " + abbreviate(text));
                    break;
                }
                throw new IOException(file + ":" + (i + 1) + ": not a JSON object: " + e.getOriginalMessage(), e);
            }
            if (values == null) {
                throw new IOException(file + ":" + (i + 1) + ": expected a JSON object, got null");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = values;
            lines.add(new Line(i + 1, text, typed));
        }
        return lines;
    }

    private long stepOf(Line line) throws IOException {
        return stepOf(file, line);
    }

    private static long stepOf(Path file, Line line) throws IOException {
        if (line.values.get(StepRecord.STEP) instanceof Long step) {
            return step;
        }
        throw new IOException(file + ":" + line.number + ": expected an integer \"" + StepRecord.STEP + "\", got "
                + line.values.get(StepRecord.STEP));
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private static Writer openAppend(Path file) throws IOException {
        return Files.newBufferedWriter(
                file,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
