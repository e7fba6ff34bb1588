package dev.alpharl.trainer.tensor.safetensors;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The safetensors element types this package reads and writes, with the DJL type a tensor of that kind is loaded as.
 * F16 and BF16 are widened to FLOAT32 on load: DJL's BFLOAT16 aborts the JVM (DJL.md pitfall 1) and fp16 compute on
 * CPU is slow (pitfall 17).
 */
public enum SafetensorsDtype {
    F64(DataType.FLOAT64, DataType.FLOAT64),
    F32(DataType.FLOAT32, DataType.FLOAT32),
    F16(DataType.FLOAT16, DataType.FLOAT32),
    BF16(DataType.BFLOAT16, DataType.FLOAT32),
    I64(DataType.INT64, DataType.INT64),
    I32(DataType.INT32, DataType.INT32),
    I8(DataType.INT8, DataType.INT8),
    U8(DataType.UINT8, DataType.UINT8),
    BOOL(DataType.BOOLEAN, DataType.BOOLEAN);

    private final DataType stored;
    private final DataType loadedAs;

    SafetensorsDtype(DataType stored, DataType loadedAs) {
        this.stored = stored;
        this.loadedAs = loadedAs;
    }

    /** Bytes per element in the file. */
    public int byteSize() {
        return stored.getNumOfBytes();
    }

    /**
     * The element type as it lies in the file, named by DJL's enum. It is only a type code for libtorch: DJL itself
     * must never create an array of BFLOAT16 (DJL.md pitfall 1).
     */
    public DataType stored() {
        return stored;
    }

    /** The DJL type {@link TensorSource#load} returns for this dtype. */
    public DataType loadedAs() {
        return loadedAs;
    }

    /** True for F64, F32, F16 and BF16. */
    public boolean isFloatingPoint() {
        return loadedAs.isFloating();
    }

    /** The dtype named by a header's {@code "dtype"} string. */
    static SafetensorsDtype parse(String name, Path file, String tensor) throws SafetensorsException {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new SafetensorsException(
                file, tensor, "unsupported dtype \"" + name + "\" (supported: " + supportedList() + ")");
    }

    /** The dtype that stores a DJL array of the given type without conversion. */
    public static SafetensorsDtype storing(DataType type) {
        return switch (type) {
            case FLOAT64 -> F64;
            case FLOAT32 -> F32;
            case FLOAT16 -> F16;
            case INT64 -> I64;
            case INT32 -> I32;
            case INT8 -> I8;
            case UINT8 -> U8;
            case BOOLEAN -> BOOL;
            default ->
                throw new IllegalArgumentException("no safetensors dtype stores DJL " + type
                        + " (supported: FLOAT64, FLOAT32, FLOAT16, INT64, INT32, INT8, UINT8, BOOLEAN)");
        };
    }

    static String supportedList() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
