package dev.alpharl.trainer.tensor.safetensors;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where one tensor lives: its dtype, shape and byte range in a file. Offsets are absolute file positions and
 * {@code long} throughout, so files beyond 2 GiB work.
 *
 * @param fileOffset position of the tensor's first byte in {@code file} (8 + header length + data_offsets[0])
 * @param byteLength data_offsets[1] − data_offsets[0] = numel · dtype size
 */
public record TensorEntry(
        String name, SafetensorsDtype dtype, long[] shape, Path file, long fileOffset, long byteLength) {

    public TensorEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements, the product of the shape (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The shape as a DJL {@link Shape}. */
    public Shape djlShape() {
        return new Shape(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry e
                && name.equals(e.name)
                && dtype == e.dtype
                && Arrays.equals(shape, e.shape)
                && file.equals(e.file)
                && fileOffset == e.fileOffset
                && byteLength == e.byteLength;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Long.hashCode(fileOffset);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @" + fileOffset + "+" + byteLength + " in " + file;
    }
}
