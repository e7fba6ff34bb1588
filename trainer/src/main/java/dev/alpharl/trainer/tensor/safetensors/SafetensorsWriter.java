package dev.alpharl.trainer.tensor.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.tensor.TorchOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Collects named tensors and writes them as a safetensors file, or as an HF checkpoint split into shards with a
 * {@code model.safetensors.index.json}. The layout follows the reference implementation (QWEN.md §4.1), so output is
 * byte-for-byte deterministic: {@code __metadata__} ({@code format: pt} first) then tensors, ordered by descending
 * dtype size and then name, data back to back, header padded with spaces to a multiple of 8 bytes (every tensor
 * then starts at its natural alignment). Every file is written to a temporary file in the target directory and
 * renamed atomically, so a crash never leaves a partial file under the final name.
 *
 * <p>Arrays passed to {@link #add} are read when a write method runs, so they must stay open until then.
 */
public final class SafetensorsWriter {

    static final Pattern SHARD_NAME = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final ObjectMapper PRETTY_JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** Writes a tensor's bytes in file layout (little-endian); called once per write, one tensor at a time. */
    @FunctionalInterface
    private interface Encoder {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Arrays larger than this are encoded in row blocks, bounding the heap and direct memory a write needs. */
    private static final long DEFAULT_BLOCK_BYTES = 64L << 20;

    private long blockBytes = DEFAULT_BLOCK_BYTES;

    private record Pending(String name, SafetensorsDtype dtype, long[] shape, long byteLength, Encoder encoder) {}

    private final Map<String, Pending> tensors = new TreeMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter() {
        metadata.put("format", "pt");
    }

    /** Adds a {@code __metadata__} entry (the default holds only {@code format: pt}, which HF loaders require). */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds an array stored in its own type (FLOAT32 → F32, INT64 → I64, BOOLEAN → BOOL, …). */
    public SafetensorsWriter add(String name, NDArray array) {
        return add(name, array, SafetensorsDtype.storing(array.getDataType()));
    }

    /**
     * Adds an array stored as {@code storeAs}: its own type, or for floating-point arrays any floating-point dtype
     * (F32 → BF16 / F16 round to nearest even, see {@link FloatFormats}).
     */
    public SafetensorsWriter add(String name, NDArray array, SafetensorsDtype storeAs) {
        DataType type = array.getDataType();
        long[] shape = array.getShape().getShape();
        boolean converts = type.isFloating() && storeAs.isFloatingPoint();
        if (!converts && storeAs != SafetensorsDtype.storing(type)) {
            throw new IllegalArgumentException("tensor '" + name + "': cannot store DJL " + type + " as " + storeAs);
        }
        return put(name, storeAs, shape, channel -> writeArray(array, storeAs, channel));
    }

    /** Adds float values (row-major) stored as a floating-point dtype: F32, BF16, F16 or F64. */
    public SafetensorsWriter add(String name, float[] values, long[] shape, SafetensorsDtype storeAs) {
        if (!storeAs.isFloatingPoint()) {
            throw new IllegalArgumentException("tensor '" + name + "': float values cannot be stored as " + storeAs);
        }
        if (numel(shape) != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " holds "
                    + numel(shape) + " elements but " + values.length + " values were given");
        }
        float[] copy = values.clone();
        return put(name, storeAs, shape, channel -> writeFully(channel, encodeFloats(copy, storeAs)));
    }

    private SafetensorsWriter put(String name, SafetensorsDtype dtype, long[] shape, Encoder encoder) {
        if (name == null || name.isEmpty() || name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was already added");
        }
        tensors.put(name, new Pending(name, dtype, shape.clone(), numel(shape) * dtype.byteSize(), encoder));
        return this;
    }

    /** Writes all tensors into one file, atomically. */
    public void write(Path file) throws IOException {
        writeFile(file, new ArrayList<>(tensors.values()));
    }

    /**
     * Writes an HF checkpoint into {@code dir}: {@code model.safetensors} when all tensors fit in
     * {@code maxShardBytes} of tensor data, else shards {@code model-0000k-of-0000n.safetensors} (filled greedily in
     * name order; a tensor larger than the limit gets a shard of its own) plus {@code model.safetensors.index.json}
     * with {@code metadata.total_size} and {@code weight_map}. The index is written last; stale files of the other
     * layout, which HF would otherwise pick up, are deleted afterwards.
     *
     * @return the files written, index last
     */
    public List<Path> writeCheckpoint(Path dir, long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        Files.createDirectories(dir);
        List<List<Pending>> shards = new ArrayList<>();
        long current = 0;
        for (Pending p : tensors.values()) {
            if (shards.isEmpty() || (current > 0 && current + p.byteLength() > maxShardBytes)) {
                shards.add(new ArrayList<>());
                current = 0;
            }
            shards.get(shards.size() - 1).add(p);
            current += p.byteLength();
        }
        List<Path> written = new ArrayList<>();
        if (shards.size() <= 1) {
            Path single = dir.resolve(TensorSource.SINGLE_FILE);
            writeFile(single, shards.isEmpty() ? List.of() : shards.get(0));
            written.add(single);
            deleteStale(dir, List.of(), true);
            return written;
        }
        ObjectNode weightMap = JSON.createObjectNode();
        long totalSize = 0;
        List<String> shardNames = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            String shardName = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            shardNames.add(shardName);
            Path shardFile = dir.resolve(shardName);
            writeFile(shardFile, shards.get(i));
            written.add(shardFile);
            for (Pending p : shards.get(i)) {
                weightMap.put(p.name(), shardName);
                totalSize += p.byteLength();
            }
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", totalSize);
        index.set("weight_map", weightMap); // names were added in sorted order
        Path indexFile = dir.resolve(TensorSource.INDEX_FILE);
        byte[] indexBytes = (PRETTY_JSON.writeValueAsString(index) + "\n").getBytes(StandardCharsets.UTF_8);
        writeAtomically(indexFile, channel -> writeFully(channel, ByteBuffer.wrap(indexBytes)));
        written.add(indexFile);
        deleteStale(dir, shardNames, false);
        return written;
    }

    /** Removes checkpoint files of the layout not just written (stale single file or index, and unlisted shards). */
    private static void deleteStale(Path dir, List<String> keepShards, boolean keptSingle) throws IOException {
        Files.deleteIfExists(dir.resolve(keptSingle ? TensorSource.INDEX_FILE : TensorSource.SINGLE_FILE));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (SHARD_NAME.matcher(name).matches() && !keepShards.contains(name)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    private void writeFile(Path file, List<Pending> members) throws IOException {
        List<Pending> ordered = new ArrayList<>(members);
        ordered.sort(
                Comparator.comparingInt((Pending p) -> -p.dtype().byteSize()).thenComparing(Pending::name));
        byte[] header = header(ordered);
        writeAtomically(file, channel -> {
            ByteBuffer length =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            writeFully(channel, length);
            writeFully(channel, ByteBuffer.wrap(header));
            for (Pending p : ordered) {
                long start = channel.position();
                p.encoder().writeTo(channel);
                if (channel.position() - start != p.byteLength()) {
                    throw new IllegalStateException(
                            "tensor '" + p.name() + "' encoded to " + (channel.position() - start) + " bytes, expected "
                                    + p.byteLength() + " (array changed after add?)");
                }
            }
        });
    }

    /** The header JSON for tensors in file order, padded with spaces to a multiple of 8 bytes. */
    private byte[] header(List<Pending> ordered) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
        metadata.forEach(meta::put);
        long offset = 0;
        for (Pending p : ordered) {
            ObjectNode entry = root.putObject(p.name());
            entry.put("dtype", p.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : p.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + p.byteLength());
            offset += p.byteLength();
        }
        byte[] json = JSON.writeValueAsBytes(root);
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    @FunctionalInterface
    private interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes through a temporary file in the target's directory, then renames it over the target atomically. */
    private static void writeAtomically(Path target, ChannelWriter body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel channel =
                    FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(channel);
                channel.force(true);
            }
            try {
                Files.setPosixFilePermissions(
                        temp, PosixFilePermissions.fromString("rw-r--r--")); // temp files are 0600
            } catch (UnsupportedOperationException notPosix) {
                // keep the default permissions
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            channel.write(data);
        }
    }

    /** Test hook: the row-block size used to encode arrays. */
    SafetensorsWriter blockBytes(long bytes) {
        this.blockBytes = bytes;
        return this;
    }

    /**
     * Writes an array as {@code storeAs}, in blocks of rows along dim 0 when it is larger than {@link #blockBytes}.
     * The bytes come from libtorch ({@link TorchOps#fileBytes}) one block at a time, as native memory freed as soon
     * as the block is written, so no copy of a weight passes through the Java heap or a direct buffer that only the
     * garbage collector would free (DJL.md §12).
     */
    private void writeArray(NDArray array, SafetensorsDtype storeAs, FileChannel channel) throws IOException {
        long[] shape = array.getShape().getShape();
        long bytes = array.size() * array.getDataType().getNumOfBytes();
        if (shape.length == 0 || bytes <= blockBytes || shape[0] <= 1) {
            writeBytes(array, storeAs, channel);
            return;
        }
        long rowsPerBlock = Math.max(1, blockBytes / (bytes / shape[0]));
        for (long row = 0; row < shape[0]; row += rowsPerBlock) {
            try (NDArray block = array.get(new NDIndex("{}:{}", row, Math.min(row + rowsPerBlock, shape[0])))) {
                writeBytes(block, storeAs, channel);
            }
        }
    }

    private static void writeBytes(NDArray array, SafetensorsDtype storeAs, FileChannel channel) throws IOException {
        try (NDArray bytes = TorchOps.of(array).fileBytes(array, storeAs.stored())) {
            writeFully(channel, littleEndian(bytes.toByteBuffer(true), storeAs.byteSize()));
        }
    }

    /** Float values in a floating-point dtype's little-endian file layout. */
    static ByteBuffer encodeFloats(float[] values, SafetensorsDtype dtype) {
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> out.asFloatBuffer().put(values);
            case F64 -> {
                for (int i = 0; i < values.length; i++) {
                    out.putDouble(i * 8, values[i]);
                }
            }
            case BF16 -> {
                for (int i = 0; i < values.length; i++) {
                    out.putShort(i * 2, FloatFormats.floatToBf16(values[i]));
                }
            }
            case F16 -> {
                for (int i = 0; i < values.length; i++) {
                    out.putShort(i * 2, FloatFormats.floatToHalf(values[i]));
                }
            }
            default -> throw new IllegalArgumentException(dtype + " is not a floating-point dtype");
        }
        return out;
    }

    /** DJL's native-order bytes in little-endian order (a no-op on little-endian hosts). */
    private static ByteBuffer littleEndian(ByteBuffer nativeBytes, int elementSize) {
        nativeBytes.order(ByteOrder.nativeOrder());
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || elementSize == 1) {
            return nativeBytes;
        }
        ByteBuffer out = ByteBuffer.allocate(nativeBytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        switch (elementSize) {
            case 8 -> out.asLongBuffer().put(nativeBytes.asLongBuffer());
            case 4 -> out.asIntBuffer().put(nativeBytes.asIntBuffer());
            case 2 -> out.asShortBuffer().put(nativeBytes.asShortBuffer());
            default -> throw new IllegalStateException("element size " + elementSize);
        }
        return out;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
