package dev.alpharl.trainer.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Reading one number out of a 0-d or single-element array of any floating or integer dtype (one host sync). */
public final class Scalars {

    private Scalars() {}

    public static double value(NDArray scalar) {
        if (scalar.getDataType() == DataType.FLOAT64) {
            return scalar.getDouble();
        }
        try (NDArray wide = scalar.toType(DataType.FLOAT64, false)) {
            return wide.getDouble();
        }
    }
}
