package dev.alpharl.datasets.jsonl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.PromptSample;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes samples as JSONL, one {@code {"id", "prompt", "answer", <fields...>}} object per line, which
 * {@code RecordFormat.generic("prompt", "answer", "id")} reads back to equal samples.
 */
public final class JsonlWriter {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final List<String> RESERVED = List.of("id", "prompt", "answer");

    private JsonlWriter() {}

    public static void write(Path file, List<PromptSample> samples) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                for (PromptSample s : samples) {
                    out.write(line(s));
                    out.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String line(PromptSample s) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", s.id());
        row.put("prompt", s.prompt());
        row.put("answer", s.answer());
        for (Map.Entry<String, Object> e : s.fields().entrySet()) {
            if (RESERVED.contains(e.getKey())) {
                throw new DatasetException("sample '" + s.id() + "': field name '" + e.getKey()
                        + "' clashes with a JSONL column " + RESERVED);
            }
            row.put(e.getKey(), e.getValue());
        }
        try {
            return MAPPER.writeValueAsString(row);
        } catch (JsonProcessingException e) {
            throw new DatasetException(
                    "sample '" + s.id() + "': field values are not JSON-serialisable: " + e.getOriginalMessage(), e);
        }
    }
}
