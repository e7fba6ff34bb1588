package dev.alpharl.trainer.tensor.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * One safetensors file, opened lazily: {@link #open} reads and validates the header only; each tensor is read on
 * demand with positional reads (long offsets, so files and tensors beyond 2 GiB work). Loading into DJL goes through a
 * bounded direct staging buffer and ends in an array that owns its native memory: DJL's {@code create(ByteBuffer)} is
 * zero-copy and would otherwise pin one Java direct buffer per weight (DJL.md pitfall 19), counted against
 * {@code -XX:MaxDirectMemorySize}.
 */
public final class SafetensorsFile implements TensorSource {

    /** Largest direct staging buffer used by {@link #load}; larger tensors are loaded in row blocks. */
    static final int DEFAULT_STAGING_BYTES = 64 << 20;

    /** Elements converted per step when the file dtype differs from the loaded one. */
    private static final int CONVERT_ELEMENTS = 1 << 20;

    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final Path file;
    private final FileChannel channel;
    private final Map<String, TensorEntry> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, FileChannel channel, SafetensorsHeader.Parsed header) {
        this.file = file;
        this.channel = channel;
        this.tensors = header.tensors();
        this.metadata = header.metadata();
    }

    /** Opens a file and validates its header; no tensor data is read. */
    public static SafetensorsFile open(Path file) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(file, null, "file does not exist", e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException(
                        file, null, "file has " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lengthField = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, file, null, lengthField, 0);
            long headerLength = lengthField.getLong(0);
            SafetensorsHeader.checkLength(file, headerLength, size);
            byte[] json = new byte[(int) headerLength];
            readFully(channel, file, null, ByteBuffer.wrap(json), 8);
            long dataStart = 8 + headerLength;
            return new SafetensorsFile(file, channel, SafetensorsHeader.parse(file, json, dataStart, size - dataStart));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** The header's {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public TensorEntry entry(String name) throws SafetensorsException {
        TensorEntry e = tensors.get(name);
        if (e == null) {
            throw new SafetensorsException(file, name, "no such tensor (the file has " + tensors.size() + ")");
        }
        return e;
    }

    @Override
    public NDArray load(String name, NDManager manager) throws IOException {
        return load(name, manager, DEFAULT_STAGING_BYTES);
    }

    /** {@link #load} with a given staging-buffer size (tests use a small one to exercise the row-block path). */
    NDArray load(String name, NDManager manager, int stagingBytes) throws IOException {
        TensorEntry e = entry(name);
        DataType type = e.dtype().loadedAs();
        long[] shape = e.shape();
        long rowElements = shape.length == 0 || shape[0] == 0 ? e.numel() : e.numel() / shape[0];
        long rowBytes = rowElements * type.getNumOfBytes();
        long outBytes = e.numel() * type.getNumOfBytes();
        if (outBytes <= stagingBytes || shape.length == 0) {
            ByteBuffer staging = stage(e, 0, e.numel(), outBytes);
            try (NDArray view = manager.create(staging, e.djlShape(), type)) {
                NDArray owned = view.duplicate(); // owns its memory; the staging buffer is released with the view
                owned.setName(name);
                return owned;
            }
        }
        long rowsPerBlock = Math.max(1, stagingBytes / rowBytes);
        if (rowsPerBlock * rowBytes > Integer.MAX_VALUE) {
            throw new SafetensorsException(
                    file,
                    name,
                    "one row along dim 0 needs " + rowBytes
                            + " bytes, more than a single staging buffer can hold (2 GiB)");
        }
        NDArray result = manager.zeros(e.djlShape(), type);
        try {
            for (long row = 0; row < shape[0]; row += rowsPerBlock) {
                long rows = Math.min(rowsPerBlock, shape[0] - row);
                ByteBuffer staging = stage(e, row * rowElements, rows * rowElements, rows * rowBytes);
                long[] blockShape = shape.clone();
                blockShape[0] = rows;
                try (NDArray block = manager.create(staging, new Shape(blockShape), type)) {
                    result.set(new NDIndex("{}:{}", row, row + rows), block);
                }
            }
            result.setName(name);
            return result;
        } catch (IOException | RuntimeException ex) {
            result.close();
            throw ex;
        }
    }

    /** Reads {@code count} elements from {@code first} into a fresh native-order direct buffer of the loaded type. */
    private ByteBuffer stage(TensorEntry e, long first, long count, long bytes) throws IOException {
        ByteBuffer staging = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        SafetensorsDtype dtype = e.dtype();
        long position = e.fileOffset() + first * dtype.byteSize();
        if (dtype.byteSize() == dtype.loadedAs().getNumOfBytes() && NATIVE_LITTLE_ENDIAN) {
            readFully(channel, file, e.name(), staging, position); // same bytes on disk and in memory
        } else {
            ByteBuffer raw = ByteBuffer.allocate((int) Math.min(count, CONVERT_ELEMENTS) * dtype.byteSize())
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (long done = 0; done < count; ) {
                int n = (int) Math.min(count - done, CONVERT_ELEMENTS);
                raw.clear().limit(n * dtype.byteSize());
                readFully(channel, file, e.name(), raw, position + done * dtype.byteSize());
                raw.flip();
                decodeForLoad(dtype, raw, staging, n);
                done += n;
            }
        }
        return staging.flip();
    }

    /** Converts n little-endian file elements to the loaded type in native order, appending to dst. */
    private static void decodeForLoad(SafetensorsDtype dtype, ByteBuffer raw, ByteBuffer dst, int n) {
        switch (dtype) {
            case F16, BF16 -> {
                ShortBuffer in = raw.asShortBuffer();
                FloatBuffer out = dst.asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    short bits = in.get(i);
                    out.put(
                            i,
                            dtype == SafetensorsDtype.BF16
                                    ? FloatFormats.bf16ToFloat(bits)
                                    : FloatFormats.halfToFloat(bits));
                }
                dst.position(dst.position() + n * 4);
            }
            case F64, I64 -> {
                dst.asLongBuffer().put(raw.asLongBuffer());
                dst.position(dst.position() + n * 8);
            }
            case F32, I32 -> {
                dst.asIntBuffer().put(raw.asIntBuffer());
                dst.position(dst.position() + n * 4);
            }
            case I8, U8, BOOL -> dst.put(raw);
        }
    }

    @Override
    public float[] readFloats(String name) throws IOException {
        TensorEntry e = entry(name);
        if (e.numel() > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(
                    file, name, "has " + e.numel() + " elements, more than a Java float[] holds");
        }
        int total = (int) e.numel();
        float[] out = new float[total];
        int size = e.dtype().byteSize();
        ByteBuffer raw =
                ByteBuffer.allocate(Math.min(total, CONVERT_ELEMENTS) * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < total; ) {
            int n = Math.min(total - done, CONVERT_ELEMENTS);
            raw.clear().limit(n * size);
            readFully(channel, file, name, raw, e.fileOffset() + (long) done * size);
            raw.flip();
            decodeToFloats(e.dtype(), raw, out, done, n);
            done += n;
        }
        return out;
    }

    private static void decodeToFloats(SafetensorsDtype dtype, ByteBuffer raw, float[] out, int offset, int n) {
        switch (dtype) {
            case F32 -> raw.asFloatBuffer().get(out, offset, n);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[offset + i] = (float) raw.getDouble(i * 8);
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[offset + i] = FloatFormats.bf16ToFloat(raw.getShort(i * 2));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[offset + i] = FloatFormats.halfToFloat(raw.getShort(i * 2));
                }
            }
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    out[offset + i] = raw.getLong(i * 8);
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[offset + i] = raw.getInt(i * 4);
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[offset + i] = raw.get(i);
                }
            }
            case U8 -> {
                for (int i = 0; i < n; i++) {
                    out[offset + i] = raw.get(i) & 0xFF;
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[offset + i] = raw.get(i) != 0 ? 1f : 0f;
                }
            }
        }
    }

    private static void readFully(FileChannel channel, Path file, String tensor, ByteBuffer dst, long position)
            throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                throw new SafetensorsException(file, tensor, "file ended at byte " + at + " (truncated while open?)");
            }
            at += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + tensors.size() + " tensors]";
    }
}
