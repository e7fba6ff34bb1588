package dev.alpharl.trainer.tensor.safetensors;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.alpharl.trainer.tensor.TorchOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * One safetensors file, opened lazily: {@link #open} reads and validates the header only; each tensor is read on
 * demand (long offsets, so files and tensors beyond 2 GiB work). {@link #load} never touches the data in Java:
 * libtorch maps the file and copies it chunk by chunk into a native array of the requested type
 * ({@link TorchOps#readFile}), so no heap array or direct buffer ever holds a weight (DJL.md §12, pitfall 19).
 * {@link #readFloats} is the one path onto the Java heap, for callers that want a {@code float[]}.
 */
public final class SafetensorsFile implements TensorSource {

    /** File bytes {@link #load} copies per step: at most this much of the file is mapped at any time. */
    static final long DEFAULT_CHUNK_BYTES = 64L << 20;

    /** Elements {@link #readFloats} decodes per step. */
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
        return load(name, manager, entry(name).dtype().loadedAs());
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType type) throws IOException {
        return load(name, manager, type, DEFAULT_CHUNK_BYTES);
    }

    /** {@link #load} copying {@code chunkBytes} of file data per step (tests use a small chunk). */
    NDArray load(String name, NDManager manager, DataType type, long chunkBytes) throws IOException {
        TensorEntry e = entry(name);
        SafetensorsDtype dtype = e.dtype();
        boolean widening = dtype.isFloatingPoint() && (type == DataType.FLOAT32 || type == DataType.FLOAT64);
        if (type != dtype.loadedAs() && !widening) {
            throw new IllegalArgumentException(
                    file + ": tensor '" + name + "' of dtype " + dtype + " cannot be loaded as " + type);
        }
        if (!NATIVE_LITTLE_ENDIAN) {
            throw new SafetensorsException(
                    file, name, "this host is big-endian; tensors are copied from the little-endian file as they are");
        }
        long chunkElements = Math.max(1, chunkBytes / dtype.byteSize());
        NDArray flat;
        try {
            flat = TorchOps.on(manager.getDevice())
                    .readFile(manager, file, e.fileOffset(), e.numel(), dtype.stored(), type, chunkElements);
        } catch (EngineException ex) {
            throw new SafetensorsException(file, name, "libtorch could not read the data: " + ex.getMessage(), ex);
        }
        try (flat) {
            NDArray shaped = flat.reshape(e.djlShape()); // a view of the same storage
            shaped.setName(name);
            return shaped;
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
