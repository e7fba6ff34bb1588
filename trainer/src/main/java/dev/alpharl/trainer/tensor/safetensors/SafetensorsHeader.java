package dev.alpharl.trainer.tensor.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a safetensors header (QWEN.md §4.1): the JSON object after the 8-byte length, mapping tensor
 * names to {dtype, shape, data_offsets} plus an optional string→string {@code __metadata__}. Validation follows the
 * reference implementation: every size and offset is checked, and the tensors must tile the data section exactly.
 */
final class SafetensorsHeader {

    /** The reference implementation's limit on the header length N. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The parsed header: tensors in header order, and the metadata map (empty when absent). */
    record Parsed(Map<String, TensorEntry> tensors, Map<String, String> metadata) {}

    private SafetensorsHeader() {}

    /**
     * Checks the 8-byte header length N against the file size.
     *
     * @param rawLength N as read (a little-endian u64, so a negative long means ≥ 2^63)
     */
    static void checkLength(Path file, long rawLength, long fileSize) throws SafetensorsException {
        if (rawLength < 0 || rawLength > MAX_HEADER_BYTES) {
            throw new SafetensorsException(
                    file,
                    null,
                    "header length " + Long.toUnsignedString(rawLength) + " exceeds the limit of " + MAX_HEADER_BYTES
                            + " bytes (corrupt or not a safetensors file)");
        }
        if (rawLength > fileSize - 8) {
            throw new SafetensorsException(
                    file,
                    null,
                    "header length " + rawLength + " exceeds the " + (fileSize - 8)
                            + " bytes that follow the length field (file size " + fileSize + ")");
        }
        if (rawLength < 2) {
            throw new SafetensorsException(
                    file, null, "header length " + rawLength + " is too short for a JSON object");
        }
    }

    /**
     * Parses the header JSON and validates every entry against the data section that follows it.
     *
     * @param json       the N header bytes
     * @param dataStart  absolute position of the data section (8 + N)
     * @param dataLength bytes in the data section (file size − 8 − N)
     */
    static Parsed parse(Path file, byte[] json, long dataStart, long dataLength) throws SafetensorsException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new SafetensorsException(file, null, "header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new SafetensorsException(file, null, "header is not readable: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file, null, "header is not a JSON object");
        }
        Map<String, String> metadata = Map.of();
        Map<String, TensorEntry> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                TensorEntry entry = parseEntry(file, field.getKey(), field.getValue(), dataStart, dataLength);
                tensors.put(entry.name(), entry);
            }
        }
        checkTiling(file, tensors.values(), dataStart, dataLength);
        return new Parsed(Collections.unmodifiableMap(tensors), metadata);
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) throws SafetensorsException {
        if (!node.isObject()) {
            throw new SafetensorsException(
                    file, null, METADATA_KEY + " must be a JSON object of strings, got " + node.getNodeType());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new SafetensorsException(
                        file,
                        null,
                        METADATA_KEY + " value of key '" + field.getKey() + "' must be a string, got "
                                + field.getValue().getNodeType());
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorEntry parseEntry(Path file, String name, JsonNode node, long dataStart, long dataLength)
            throws SafetensorsException {
        if (!node.isObject()) {
            throw new SafetensorsException(
                    file, name, "entry must be an object {dtype, shape, data_offsets}, got " + node.getNodeType());
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(
                    file, name, "\"dtype\" must be a string (supported: " + SafetensorsDtype.supportedList() + ")");
        }
        SafetensorsDtype dtype = SafetensorsDtype.parse(dtypeNode.textValue(), file, name);

        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new SafetensorsException(file, name, "\"shape\" must be an array of non-negative integers");
        }
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(file, name, shapeNode.get(i), "shape[" + i + "]");
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException e) {
                throw new SafetensorsException(file, name, "shape " + shapeNode + " has more than 2^63 elements");
            }
        }

        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw new SafetensorsException(
                    file, name, "\"data_offsets\" must be an array of two integers [begin, end]");
        }
        long begin = nonNegativeLong(file, name, offsets.get(0), "data_offsets[0]");
        long end = nonNegativeLong(file, name, offsets.get(1), "data_offsets[1]");
        if (end < begin) {
            throw new SafetensorsException(file, name, "data_offsets [" + begin + ", " + end + "] are not ascending");
        }
        if (end > dataLength) {
            throw new SafetensorsException(
                    file,
                    name,
                    "data_offsets [" + begin + ", " + end + "] run past the end of the data section (" + dataLength
                            + " bytes)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(file, name, "shape " + shapeNode + " is too large for any file");
        }
        if (end - begin != expected) {
            throw new SafetensorsException(
                    file,
                    name,
                    "shape " + shapeNode + " of " + dtype + " needs " + expected + " bytes but data_offsets [" + begin
                            + ", " + end + "] span " + (end - begin));
        }
        return new TensorEntry(name, dtype, shape, file, dataStart + begin, end - begin);
    }

    private static long nonNegativeLong(Path file, String name, JsonNode n, String what) throws SafetensorsException {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
            throw new SafetensorsException(file, name, what + " must be a non-negative integer, got " + n);
        }
        return n.longValue();
    }

    /** The byte ranges must cover [0, dataLength) exactly once: no overlap, no gap, no trailing bytes. */
    private static void checkTiling(Path file, Iterable<TensorEntry> entries, long dataStart, long dataLength)
            throws SafetensorsException {
        List<TensorEntry> sorted = new ArrayList<>();
        entries.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorEntry::fileOffset).thenComparingLong(TensorEntry::byteLength));
        long expectedBegin = 0;
        TensorEntry previous = null;
        for (TensorEntry e : sorted) {
            long begin = e.fileOffset() - dataStart;
            if (begin < expectedBegin) {
                throw new SafetensorsException(
                        file,
                        e.name(),
                        "data_offsets [" + begin + ", " + (begin + e.byteLength()) + "] overlap tensor '"
                                + previous.name() + "' which ends at " + expectedBegin);
            }
            if (begin > expectedBegin) {
                throw new SafetensorsException(
                        file,
                        e.name(),
                        "data_offsets begin at " + begin + " leaving a gap after byte " + expectedBegin
                                + " of the data section (tensors must be contiguous)");
            }
            expectedBegin = begin + e.byteLength();
            previous = e;
        }
        if (expectedBegin != dataLength) {
            throw new SafetensorsException(
                    file,
                    null,
                    "tensors cover " + expectedBegin + " bytes but the data section has " + dataLength
                            + " (truncated or trailing bytes)");
        }
    }
}
