package dev.alpharl.trainer.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets beyond 2 GiB, on a sparse file (no disk blocks for the hole): a U8 tensor of 2.2·10^9 bytes followed by a
 * small F32 tensor and a BF16 tensor whose bytes lie past 2^31.
 */
class LargeFileOffsetTest {

    private static final long BIG = 2_200_000_000L;

    @Test
    void tensorsBeyondTwoGibAreReadAtTheirLongOffsets(@TempDir Path dir) throws Exception {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"big\":{\"dtype\":\"U8\",\"shape\":[" + BIG + "],\"data_offsets\":[0," + BIG + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + BIG + "," + (BIG + 16) + "]},"
                + "\"tail_bf16\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[" + (BIG + 16) + "," + (BIG + 22)
                + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + json.length;
        Path file = dir.resolve("large.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + BIG + 22); // sparse: the 2.2 GB hole takes no disk space
            ByteBuffer head = ByteBuffer.allocate((int) dataStart).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(json.length).put(json);
            raf.write(head.array());
            ByteBuffer tail = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
            tail.putFloat(1.5f).putFloat(-2f).putFloat(1e-3f).putFloat(7f);
            tail.putShort((short) 0x3F80).putShort((short) 0xC040).putShort((short) 0x7F80); // 1, -3, +Inf
            raf.seek(dataStart + BIG);
            raf.write(tail.array());
        }
        try {
            assertThat(Files.size(file)).isGreaterThan(Integer.MAX_VALUE);
            try (TensorSource source = TensorSource.open(file);
                    NDManager manager = NDManager.newBaseManager()) {
                TensorEntry big = source.entry("big");
                assertThat(big.byteLength()).isEqualTo(BIG);
                assertThat(big.numel()).isEqualTo(BIG);
                TensorEntry tail = source.entry("tail");
                assertThat(tail.fileOffset()).isEqualTo(dataStart + BIG).isGreaterThan(Integer.MAX_VALUE);

                assertThat(source.readFloats("tail")).containsExactly(1.5f, -2f, 1e-3f, 7f);
                assertThat(source.readFloats("tail_bf16")).containsExactly(1f, -3f, Float.POSITIVE_INFINITY);
                NDArray loaded = source.load("tail", manager);
                assertThat(loaded.getShape().getShape()).containsExactly(2, 2);
                assertThat(loaded.toFloatArray()).containsExactly(1.5f, -2f, 1e-3f, 7f);
                assertThat(source.load("tail_bf16", manager).toFloatArray())
                        .containsExactly(1f, -3f, Float.POSITIVE_INFINITY);

                SafetensorsException tooBig =
                        catchThrowableOfType(SafetensorsException.class, () -> source.readFloats("big"));
                assertThat(tooBig.getMessage()).contains("tensor 'big'").contains("more than a Java float[] holds");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
