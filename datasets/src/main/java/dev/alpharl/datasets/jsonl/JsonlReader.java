package dev.alpharl.datasets.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.PromptSample;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads a JSONL file (one JSON object per line; blank lines skipped; {@code .gz} decompressed) into prompt samples.
 * Any bad line stops the read with a {@link DatasetException} naming the file, the 1-based line number and what was
 * expected; so does a repeated id.
 */
public final class JsonlReader {

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonlReader() {}

    public static List<PromptSample> read(Path file, RecordFormat format) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("dataset file not found: " + file);
        }
        String stem = stem(file);
        List<PromptSample> samples = new ArrayList<>();
        Map<String, Integer> lineOfId = new HashMap<>();
        try (BufferedReader in = open(file)) {
            int lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                PromptSample sample = parseLine(file, lineNo, line, format, stem + "-" + lineNo);
                Integer previous = lineOfId.putIfAbsent(sample.id(), lineNo);
                if (previous != null) {
                    throw DatasetException.atLine(
                            file, lineNo, "duplicate id '" + sample.id() + "' (first seen on line " + previous + ")");
                }
                samples.add(sample);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return samples;
    }

    private static PromptSample parseLine(Path file, int lineNo, String line, RecordFormat format, String fallbackId) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw DatasetException.atLine(file, lineNo, "invalid JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            throw DatasetException.atLine(file, lineNo, "expected a JSON object, got " + JsonFields.describe(node));
        }
        try {
            return format.map(node, fallbackId);
        } catch (MalformedRecordException e) {
            throw DatasetException.atLine(file, lineNo, e.getMessage());
        }
    }

    private static BufferedReader open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        for (String ext : new String[] {".gz", ".jsonl", ".json"}) {
            if (name.endsWith(ext)) {
                name = name.substring(0, name.length() - ext.length());
            }
        }
        return name;
    }
}
