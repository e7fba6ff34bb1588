package dev.alpharl.trainer.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static float[] randomFloats(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void everyDtypeSurvivesAWriteAndARead() throws Exception {
        float[] values = randomFloats(24, 1);
        NDArray f32 = manager.create(values, new Shape(2, 3, 4));
        NDArray f64 = manager.create(new double[] {Math.PI, -1e300, Double.MIN_VALUE, 0}, new Shape(4));
        NDArray i64 = manager.create(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, new Shape(2, 2));
        NDArray i32 = manager.create(new int[] {Integer.MIN_VALUE, -7, 7, Integer.MAX_VALUE}, new Shape(4));
        NDArray i8 = manager.create(new byte[] {-128, -1, 0, 127}, new Shape(4));
        byte[] u8Values = {0, 1, (byte) 128, (byte) 255};
        NDArray u8 = manager.create(ByteBuffer.wrap(u8Values), new Shape(4), DataType.UINT8);
        NDArray bool = manager.create(new boolean[] {true, false, false, true, true}, new Shape(5));
        NDArray empty = manager.create(new float[0], new Shape(0, 3));
        Path file = dir.resolve("all.safetensors");
        new SafetensorsWriter()
                .add("f32", f32)
                .add("bf16", f32, SafetensorsDtype.BF16)
                .add("f16", f32, SafetensorsDtype.F16)
                .add("f64", f64)
                .add("i64", i64)
                .add("i32", i32)
                .add("i8", i8)
                .add("u8", u8)
                .add("bool", bool)
                .add("empty", empty)
                .metadata("note", "round trip")
                .write(file);

        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDManager sub = manager.newSubManager()) {
            assertThat(st.metadata()).containsEntry("format", "pt").containsEntry("note", "round trip");
            assertThat(st.entry("bf16").dtype()).isEqualTo(SafetensorsDtype.BF16);
            assertThat(st.entry("f16").dtype()).isEqualTo(SafetensorsDtype.F16);

            NDArray rf32 = st.load("f32", sub);
            assertThat(rf32.getShape()).isEqualTo(new Shape(2, 3, 4));
            assertThat(rf32.toFloatArray()).containsExactly(values);

            float[] bf16Expected = new float[values.length];
            float[] f16Expected = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                bf16Expected[i] = FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(values[i]));
                f16Expected[i] = FloatFormats.halfToFloat(FloatFormats.floatToHalf(values[i]));
            }
            NDArray rbf16 = st.load("bf16", sub);
            assertThat(rbf16.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(rbf16.getShape()).isEqualTo(new Shape(2, 3, 4));
            assertThat(rbf16.toFloatArray()).containsExactly(bf16Expected);
            assertThat(st.readFloats("bf16")).containsExactly(bf16Expected);
            NDArray rf16 = st.load("f16", sub);
            assertThat(rf16.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(rf16.toFloatArray()).containsExactly(f16Expected);
            // libtorch's own float32 → float16 → float32 agrees with our F16 conversion
            try (NDArray torchHalf = f32.toType(DataType.FLOAT16, true);
                    NDArray back = torchHalf.toType(DataType.FLOAT32, true)) {
                assertThat(back.toFloatArray()).containsExactly(f16Expected);
            }

            assertThat(st.load("f64", sub).toDoubleArray()).containsExactly(Math.PI, -1e300, Double.MIN_VALUE, 0);
            NDArray ri64 = st.load("i64", sub);
            assertThat(ri64.getDataType()).isEqualTo(DataType.INT64);
            assertThat(ri64.getShape()).isEqualTo(new Shape(2, 2));
            assertThat(ri64.toLongArray()).containsExactly(Long.MIN_VALUE, -1, 0, Long.MAX_VALUE);
            assertThat(st.load("i32", sub).toIntArray()).containsExactly(Integer.MIN_VALUE, -7, 7, Integer.MAX_VALUE);
            NDArray ri8 = st.load("i8", sub);
            assertThat(ri8.getDataType()).isEqualTo(DataType.INT8);
            assertThat(ri8.toByteArray()).containsExactly(-128, -1, 0, 127);
            NDArray ru8 = st.load("u8", sub);
            assertThat(ru8.getDataType()).isEqualTo(DataType.UINT8);
            assertThat(ru8.toUint8Array()).containsExactly(0, 1, 128, 255);
            assertThat(st.readFloats("u8")).containsExactly(0, 1, 128, 255);
            NDArray rbool = st.load("bool", sub);
            assertThat(rbool.getDataType()).isEqualTo(DataType.BOOLEAN);
            assertThat(rbool.toBooleanArray()).containsExactly(true, false, false, true, true);
            assertThat(st.readFloats("bool")).containsExactly(1, 0, 0, 1, 1);
            NDArray rempty = st.load("empty", sub);
            assertThat(rempty.getShape()).isEqualTo(new Shape(0, 3));
            assertThat(st.readFloats("empty")).isEmpty();
        }
    }

    @Test
    void torchFloat16ArraysAreStoredAsF16Unchanged() throws Exception {
        NDArray f32 = manager.create(randomFloats(10, 2));
        NDArray half = f32.toType(DataType.FLOAT16, true);
        Path file = dir.resolve("half.safetensors");
        new SafetensorsWriter().add("h", half).write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDArray expected = half.toType(DataType.FLOAT32, true)) {
            assertThat(st.entry("h").dtype()).isEqualTo(SafetensorsDtype.F16);
            assertThat(st.readFloats("h")).containsExactly(expected.toFloatArray());
        }
    }

    @Test
    void fileLayoutIsAlignedAndContiguous() throws Exception {
        Path file = dir.resolve("aligned.safetensors");
        new SafetensorsWriter()
                .add("x.bias", new float[] {1, 2, 3}, new long[] {3}, SafetensorsDtype.BF16)
                .add("y", manager.create(new long[] {5, 6, 7}))
                .add("z", new float[] {1, 2, 3}, new long[] {3}, SafetensorsDtype.F32)
                .add("flag", manager.create(new boolean[] {true}))
                .write(file);
        long size = Files.size(file);
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = head.getLong(0);
        assertThat(headerLength % 8).isZero();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.names()).containsExactly("y", "z", "x.bias", "flag"); // size desc, then name
            long expectedOffset = 8 + headerLength;
            for (String name : st.names()) {
                TensorEntry e = st.entry(name);
                assertThat(e.fileOffset()).isEqualTo(expectedOffset);
                assertThat(e.fileOffset() % e.dtype().byteSize()).isZero();
                expectedOffset += e.byteLength();
            }
            assertThat(expectedOffset).isEqualTo(size);
        }
    }

    @Test
    void nonContiguousArraysAreWrittenInLogicalRowMajorOrder() throws Exception {
        NDArray m = manager.arange(6f).reshape(2, 3);
        NDArray t = m.transpose(); // [[0,3],[1,4],[2,5]]
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().add("t", t).add("tb", t, SafetensorsDtype.BF16).write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.entry("t").shape()).containsExactly(3, 2);
            assertThat(st.readFloats("t")).containsExactly(0, 3, 1, 4, 2, 5);
            assertThat(st.readFloats("tb")).containsExactly(0, 3, 1, 4, 2, 5);
        }
    }

    @Test
    void tensorsCopiedInChunksEqualTheWholeTensor() throws Exception {
        float[] values = randomFloats(37 * 5, 3);
        long[] longs = new long[37 * 3];
        for (int i = 0; i < longs.length; i++) {
            longs[i] = (long) i * 1_000_000_007L - 5;
        }
        Path file = dir.resolve("rows.safetensors");
        new SafetensorsWriter()
                .add("w", values, new long[] {37, 5}, SafetensorsDtype.F32)
                .add("wb", values, new long[] {37, 5}, SafetensorsDtype.BF16)
                .add("w3", values, new long[] {37, 1, 5}, SafetensorsDtype.F16)
                .add("ids", manager.create(longs, new Shape(37, 3)))
                .write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDManager sub = manager.newSubManager()) {
            for (String name : st.names()) {
                NDArray whole = st.load(name, sub);
                DataType type = whole.getDataType();
                // several elements per chunk, a partial last chunk, one element per chunk (a chunk below one element)
                for (long chunkBytes : new long[] {64, 100, 7}) {
                    NDArray chunked = st.load(name, sub, type, chunkBytes);
                    assertThat(chunked.getShape()).isEqualTo(whole.getShape());
                    assertThat(chunked.getDataType()).isEqualTo(type);
                    assertThat(chunked.contentEquals(whole))
                            .as("%s in chunks of %d bytes", name, chunkBytes)
                            .isTrue();
                }
            }
            assertThat(st.load("ids", sub, DataType.INT64, 50).toLongArray()).containsExactly(longs);
        }
    }

    @Test
    void floatTensorsLoadAsFloat64WithoutAnFp32Step() throws Exception {
        double[] exact = {Math.PI, -1e-40, 1e300};
        Path file = dir.resolve("f64.safetensors");
        new SafetensorsWriter()
                .add("d", manager.create(exact))
                .add("h", new float[] {1.5f, -65504f}, new long[] {2}, SafetensorsDtype.F16)
                .add("ids", manager.create(new long[] {1, 2}))
                .write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file);
                NDManager sub = manager.newSubManager()) {
            // an fp32 step would round 1e-40 to a 17-bit subnormal and turn 1e300 into Inf
            assertThat(st.load("d", sub, DataType.FLOAT64).toDoubleArray()).containsExactly(exact);
            NDArray h = st.load("h", sub, DataType.FLOAT64);
            assertThat(h.getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(h.toDoubleArray()).containsExactly(1.5, -65504);
            assertThat(st.load("d", sub, DataType.FLOAT32).toFloatArray())
                    .containsExactly((float) Math.PI, -1e-40f, Float.POSITIVE_INFINITY);
            assertThatThrownBy(() -> st.load("ids", sub, DataType.FLOAT32))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'ids' of dtype I64 cannot be loaded as float32");
        }
    }

    @Test
    void arraysWrittenInRowBlocksGiveTheSameBytes() throws Exception {
        NDArray w = manager.create(randomFloats(37 * 5, 4), new Shape(37, 5));
        NDArray wt = w.transpose(); // non-contiguous, blocks are strided views
        NDArray ids = manager.arange(0L, 3L * 11, 1L, DataType.INT64).reshape(11, 3);
        Path whole = dir.resolve("whole.safetensors");
        Path blocked = dir.resolve("blocked.safetensors");
        for (Path file : new Path[] {whole, blocked}) {
            new SafetensorsWriter()
                    .blockBytes(file == whole ? 1L << 30 : 24)
                    .add("w", w)
                    .add("wb", w, SafetensorsDtype.BF16)
                    .add("wt", wt)
                    .add("wth", wt, SafetensorsDtype.F16)
                    .add("ids", ids)
                    .write(file);
        }
        assertThat(Files.readAllBytes(blocked)).isEqualTo(Files.readAllBytes(whole));
        try (SafetensorsFile st = SafetensorsFile.open(blocked);
                NDManager sub = manager.newSubManager()) {
            assertThat(st.load("wt", sub).contentEquals(wt)).isTrue();
            NDArray loaded = st.load("ids", sub);
            assertThat(loaded.contentEquals(ids)).isTrue();
            assertThat(loaded.getName()).isEqualTo("ids");
        }
    }

    @Test
    void loadedArraysOutliveTheFileAndBelongToTheGivenManager() throws Exception {
        Path file = dir.resolve("own.safetensors");
        new SafetensorsWriter()
                .add("w", new float[] {1, 2, 3, 4}, new long[] {2, 2}, SafetensorsDtype.F32)
                .write(file);
        NDArray loaded;
        try (NDManager sub = manager.newSubManager()) {
            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                loaded = st.load("w", sub);
            }
            assertThat(loaded.getManager()).isSameAs(sub);
            loaded.addi(1); // weights are updated in place during training
            assertThat(loaded.toFloatArray()).containsExactly(2, 3, 4, 5);
        }
        assertThat(loaded.isReleased()).isTrue();
    }

    @Test
    void aFailedWriteLeavesThePreviousFileAndNoTemporaries() throws Exception {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter()
                .add("w", new float[] {1, 2}, new long[] {2}, SafetensorsDtype.F32)
                .write(file);
        byte[] before = Files.readAllBytes(file);

        NDArray gone = manager.create(new float[] {9, 9, 9});
        SafetensorsWriter writer = new SafetensorsWriter()
                .add("a", new float[] {1}, new long[] {1}, SafetensorsDtype.F32)
                .add("b", gone);
        gone.close(); // fails in the middle of the write, after the header and tensor "a"
        assertThatThrownBy(() -> writer.write(file)).isInstanceOf(IllegalStateException.class);

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void writerRejectsBadInputEarly() {
        SafetensorsWriter writer =
                new SafetensorsWriter().add("w", new float[] {1}, new long[] {1}, SafetensorsDtype.F32);
        assertThatThrownBy(() -> writer.add("w", new float[] {1}, new long[] {1}, SafetensorsDtype.F32))
                .hasMessageContaining("'w' was already added");
        assertThatThrownBy(() -> writer.add("__metadata__", new float[] {1}, new long[] {1}, SafetensorsDtype.F32))
                .hasMessageContaining("invalid tensor name");
        assertThatThrownBy(() -> writer.add("x", new float[] {1, 2}, new long[] {3}, SafetensorsDtype.F32))
                .hasMessageContaining("'x'")
                .hasMessageContaining("holds 3 elements but 2 values");
        assertThatThrownBy(() -> writer.add("x", new float[] {1}, new long[] {1}, SafetensorsDtype.I32))
                .hasMessageContaining("cannot be stored as I32");
        assertThatThrownBy(() -> writer.add("x", manager.create(new long[] {1}), SafetensorsDtype.F32))
                .hasMessageContaining("cannot store DJL int64 as F32");
    }
}
