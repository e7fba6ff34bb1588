package dev.alpharl.trainer.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed header is rejected with a {@link SafetensorsException} that names the file and the tensor. */
class SafetensorsValidationTest {

    @TempDir
    Path dir;

    /** 8-byte little-endian length, the header bytes, then {@code dataBytes} zero bytes. */
    static byte[] file(long declaredLength, String header, int dataBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(declaredLength)
                .array());
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(new byte[dataBytes]);
        return out.toByteArray();
    }

    static byte[] file(String header, int dataBytes) {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    /** A header whose only key holds the invalid UTF-8 sequence C3 28. */
    private static byte[] invalidUtf8() {
        byte[] header = {'{', '"', (byte) 0xC3, '(', '"', ':', '1', '}'};
        byte[] out = file(header.length, "", 0);
        byte[] all = java.util.Arrays.copyOf(out, out.length + header.length);
        System.arraycopy(header, 0, all, out.length, header.length);
        return all;
    }

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets
                + "}";
    }

    static Stream<Arguments> malformedFiles() {
        String ok = entry("w", "F32", "[2]", "[0,8]");
        return Stream.of(
                Arguments.of(
                        "file shorter than the length field",
                        new byte[] {1, 2, 3},
                        null,
                        "fewer than the 8-byte header length"),
                Arguments.of("length beyond the file", file(1000, "{}", 0), null, "exceeds the 2 bytes"),
                Arguments.of("absurd length", file(200_000_000L, "{}", 0), null, "exceeds the limit of 100000000"),
                Arguments.of("length with the top bit set", file(-8, "{}", 0), null, "18446744073709551608"),
                Arguments.of("zero length", file(0, "", 0), null, "too short"),
                Arguments.of("not JSON", file("{\"w\":", 0), null, "not valid JSON"),
                Arguments.of("trailing garbage after the object", file("{} x", 0), null, "not valid JSON"),
                Arguments.of("not an object", file("[1,2]   ", 0), null, "not a JSON object"),
                Arguments.of("invalid UTF-8", invalidUtf8(), null, "not valid JSON"),
                Arguments.of("duplicate tensor name", file("{" + ok + "," + ok + "}", 16), null, "Duplicate field 'w'"),
                Arguments.of("entry not an object", file("{\"w\":3}", 0), "w", "must be an object"),
                Arguments.of(
                        "unknown dtype",
                        file("{" + entry("w", "F8_E4M3", "[2]", "[0,2]") + "}", 2),
                        "w",
                        "unsupported dtype \"F8_E4M3\" (supported: F64, F32, F16, BF16, I64, I32, I8, U8, BOOL)"),
                Arguments.of(
                        "dtype missing",
                        file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                        "w",
                        "\"dtype\" must be a string"),
                Arguments.of(
                        "shape not an array",
                        file("{" + entry("w", "F32", "2", "[0,8]") + "}", 8),
                        "w",
                        "\"shape\" must be an array"),
                Arguments.of(
                        "negative dimension",
                        file("{" + entry("w", "F32", "[-2]", "[0,8]") + "}", 8),
                        "w",
                        "shape[0] must be a non-negative integer, got -2"),
                Arguments.of(
                        "fractional dimension",
                        file("{" + entry("w", "F32", "[2.5]", "[0,8]") + "}", 8),
                        "w",
                        "shape[0] must be a non-negative integer"),
                Arguments.of(
                        "overflowing shape",
                        file("{" + entry("w", "F32", "[4294967296,4294967296]", "[0,8]") + "}", 8),
                        "w",
                        "more than 2^63 elements"),
                Arguments.of("one offset", file("{" + entry("w", "F32", "[2]", "[8]") + "}", 8), "w", "two integers"),
                Arguments.of(
                        "three offsets", file("{" + entry("w", "F32", "[2]", "[0,8,9]") + "}", 8), "w", "two integers"),
                Arguments.of(
                        "negative offset",
                        file("{" + entry("w", "F32", "[2]", "[-8,0]") + "}", 8),
                        "w",
                        "data_offsets[0] must be a non-negative integer"),
                Arguments.of(
                        "string offset",
                        file("{" + entry("w", "F32", "[2]", "[0,\"8\"]") + "}", 8),
                        "w",
                        "data_offsets[1] must be a non-negative integer"),
                Arguments.of(
                        "offset beyond long",
                        file("{" + entry("w", "F32", "[2]", "[0,99999999999999999999]") + "}", 8),
                        "w",
                        "data_offsets[1]"),
                Arguments.of(
                        "descending offsets",
                        file("{" + entry("w", "F32", "[0]", "[8,0]") + "}", 8),
                        "w",
                        "not ascending"),
                Arguments.of(
                        "offsets past the data",
                        file("{" + entry("w", "F32", "[2]", "[0,8]") + "}", 4),
                        "w",
                        "run past the end of the data section (4 bytes)"),
                Arguments.of(
                        "shape/size mismatch",
                        file("{" + entry("w", "F32", "[3]", "[0,8]") + "}", 8),
                        "w",
                        "needs 12 bytes but data_offsets [0, 8] span 8"),
                Arguments.of(
                        "overlapping tensors",
                        file(
                                "{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[4,12]")
                                        + "}",
                                12),
                        "b",
                        "overlap tensor 'a'"),
                Arguments.of(
                        "gap between tensors",
                        file(
                                "{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("b", "F32", "[1]", "[8,12]")
                                        + "}",
                                12),
                        "b",
                        "gap"),
                Arguments.of(
                        "trailing bytes",
                        file("{" + ok + "}", 12),
                        null,
                        "tensors cover 8 bytes but the data section has 12"),
                Arguments.of(
                        "metadata not an object",
                        file("{\"__metadata__\":[1]}", 0),
                        null,
                        "__metadata__ must be a JSON object"),
                Arguments.of(
                        "metadata value not a string",
                        file("{\"__metadata__\":{\"format\":1}}", 0),
                        null,
                        "key 'format' must be a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void malformedFileIsRejectedWithAClearMessage(String description, byte[] bytes, String tensor, String message)
            throws Exception {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, bytes);
        SafetensorsException e = catchThrowableOfType(
                SafetensorsException.class, () -> SafetensorsFile.open(file).close());
        assertThat(e).as(description).isNotNull();
        assertThat(e.getMessage()).startsWith(file.toString()).contains(message);
        assertThat(e.file()).isEqualTo(file);
        assertThat(e.tensor()).isEqualTo(tensor);
        if (tensor != null) {
            assertThat(e.getMessage()).contains("tensor '" + tensor + "'");
        }
    }

    @Test
    void validEdgeCasesAreAccepted() throws Exception {
        Path file = dir.resolve("edge.safetensors");
        // zero-sized tensors may share an offset with the next tensor; unknown entry keys are ignored; no metadata
        String header = "{" + entry("z", "F32", "[0,5]", "[0,0]") + ","
                + "\"w\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":true},"
                + entry("s", "BOOL", "[]", "[4,5]") + "}";
        Files.write(file, file(header, 5));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.metadata()).isEmpty();
            assertThat(st.names()).containsExactly("z", "w", "s");
            assertThat(st.readFloats("s")).containsExactly(0f);
        }
    }

    @Test
    void missingFileAndUnknownTensorAreNamed() throws Exception {
        Path missing = dir.resolve("nope.safetensors");
        SafetensorsException e = catchThrowableOfType(SafetensorsException.class, () -> SafetensorsFile.open(missing));
        assertThat(e.getMessage()).contains("nope.safetensors").contains("does not exist");

        Path file = dir.resolve("one.safetensors");
        new SafetensorsWriter()
                .add("w", new float[] {1}, new long[] {1}, SafetensorsDtype.F32)
                .write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            SafetensorsException unknown = catchThrowableOfType(SafetensorsException.class, () -> st.readFloats("v"));
            assertThat(unknown.getMessage())
                    .contains("one.safetensors")
                    .contains("tensor 'v'")
                    .contains("no such tensor");
        }
    }

    @Test
    void directoryWithoutACheckpointIsNamed() {
        SafetensorsException e = catchThrowableOfType(SafetensorsException.class, () -> TensorSource.open(dir));
        assertThat(e.getMessage())
                .contains(dir.toString())
                .contains("neither model.safetensors nor model.safetensors.index.json");
    }
}
