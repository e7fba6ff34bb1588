package dev.alpharl.trainer.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file laid out by hand from the format spec (QWEN.md §4.1), read and reproduced byte for byte by the writer.
 * Tensors: a = BF16 [2] {1, −2}, b = I64 [2] {1, −1}, c = F32 scalar 0.5. File order is descending dtype size, then
 * name: b (8 bytes/elem), c (4), a (2).
 */
class SafetensorsGoldenTest {

    private static final String HEADER_JSON = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
            + "\"c\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[16,20]},"
            + "\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[20,24]}}"
            + "    "; // 196 bytes of JSON + 4 spaces = 200, a multiple of 8

    private static final byte[] LENGTH = {(byte) 200, 0, 0, 0, 0, 0, 0, 0}; // 200 = 0xC8, little-endian u64

    private static final byte[] DATA = {
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0, // b[0] = 1
        (byte) 0xFF,
        (byte) 0xFF,
        (byte) 0xFF,
        (byte) 0xFF,
        (byte) 0xFF,
        (byte) 0xFF,
        (byte) 0xFF,
        (byte) 0xFF, // b[1] = -1
        0,
        0,
        0,
        0x3F, // c = 0.5f = 0x3F000000
        (byte) 0x80,
        0x3F, // a[0] = 1.0 = bf16 0x3F80
        0,
        (byte) 0xC0, // a[1] = -2.0 = bf16 0xC000
    };

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    static byte[] golden() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(LENGTH);
        out.writeBytes(HEADER_JSON.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(DATA);
        return out.toByteArray();
    }

    @Test
    void goldenIsWhatWeThinkItIs() {
        assertThat(HEADER_JSON.length()).isEqualTo(200);
        assertThat(golden()).hasSize(8 + 200 + 24);
    }

    @Test
    void readsTheHandWrittenFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("golden.safetensors");
        Files.write(file, golden());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.metadata()).isEqualTo(Map.of("format", "pt"));
            assertThat(st.names()).containsExactly("b", "c", "a");
            TensorEntry a = st.entry("a");
            assertThat(a.dtype()).isEqualTo(SafetensorsDtype.BF16);
            assertThat(a.shape()).containsExactly(2);
            assertThat(a.fileOffset()).isEqualTo(8 + 200 + 20);
            assertThat(a.byteLength()).isEqualTo(4);
            assertThat(st.entry("c").shape()).isEmpty();

            assertThat(st.readFloats("a")).containsExactly(1f, -2f);
            assertThat(st.readFloats("b")).containsExactly(1f, -1f);
            assertThat(st.readFloats("c")).containsExactly(0.5f);

            try (NDManager sub = manager.newSubManager()) {
                NDArray la = st.load("a", sub);
                assertThat(la.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(la.toFloatArray()).containsExactly(1f, -2f);
                NDArray lb = st.load("b", sub);
                assertThat(lb.getDataType()).isEqualTo(DataType.INT64);
                assertThat(lb.toLongArray()).containsExactly(1L, -1L);
                NDArray lc = st.load("c", sub);
                assertThat(lc.getShape().dimension()).isZero();
                assertThat(lc.getFloat()).isEqualTo(0.5f);
            }
        }
    }

    /**
     * Other writers need not order tensors by alignment: here the BF16 and F32 tensors follow a 1-byte U8 tensor, so
     * they start at odd file offsets, which libtorch cannot view in place (they take the copying path).
     */
    @Test
    void readsTensorsAtOddOffsets(@TempDir Path dir) throws Exception {
        String json = "{\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[1,5]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[5,9]}} ";
        assertThat(json.length()).isEqualTo(160);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 160, 0, 0, 0, 0, 0, 0, 0});
        out.writeBytes(json.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[] {
            (byte) 200, // u = 200
            (byte) 0x80,
            0x3F,
            0,
            (byte) 0xC0, // a = {1, -2}
            0,
            0,
            0,
            0x3F // c = 0.5f
        });
        Path file = dir.resolve("odd.safetensors");
        Files.write(file, out.toByteArray());
        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDManager sub = manager.newSubManager()) {
            assertThat(st.entry("a").fileOffset()).isEqualTo(8 + 160 + 1);
            assertThat(st.load("u", sub).toUint8Array()).containsExactly(200);
            assertThat(st.load("a", sub).toFloatArray()).containsExactly(1f, -2f);
            assertThat(st.load("a", sub, DataType.FLOAT32, 2).toFloatArray()).containsExactly(1f, -2f);
            assertThat(st.load("c", sub).getFloat()).isEqualTo(0.5f);
        }
    }

    @Test
    void writerReproducesTheHandWrittenBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("written.safetensors");
        try (NDManager sub = manager.newSubManager()) {
            new SafetensorsWriter()
                    .add("a", new float[] {1f, -2f}, new long[] {2}, SafetensorsDtype.BF16)
                    .add("b", sub.create(new long[] {1, -1}))
                    .add("c", sub.create(0.5f))
                    .write(file);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(golden());
    }

    @Test
    void addOrderDoesNotChangeTheBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("written.safetensors");
        new SafetensorsWriter()
                .add("c", new float[] {0.5f}, new long[0], SafetensorsDtype.F32)
                .add("a", new float[] {1f, -2f}, new long[] {2}, SafetensorsDtype.BF16)
                .add("b", manager.create(new long[] {1, -1}))
                .write(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(golden());
    }
}
