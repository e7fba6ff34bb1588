package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A number as a 0-d array whose memory libtorch owns, for arithmetic that autograd may record.
 *
 * <p>Why not {@code x.mul(0.5)}: DJL wraps the number with {@code manager.create}, which on the CPU is a view
 * ({@code from_blob}) of a Java direct buffer, and closes it as soon as the op returns. Autograd saves that view for
 * the backward pass of a product, quotient, power, maximum or minimum, and once the garbage collector frees the
 * buffer the backward pass multiplies by freed memory: a garbage gradient that gradient clipping then hides (DJL.md
 * §4, pitfall 22). {@code ArchitectureTest} forbids those overloads in main code; this class is their replacement.
 */
public final class Constant {

    private Constant() {}

    /**
     * {@code value} as a 0-d array of {@code like}'s floating dtype on {@code like}'s manager (freed with that
     * manager). Integer arrays are refused: the value would be truncated where DJL's overload promoted to float.
     */
    public static NDArray like(NDArray like, double value) {
        NDManager manager = like.getManager();
        DataType type = like.getDataType();
        if (!type.isFloating()) {
            throw new IllegalArgumentException("a constant for a " + type + " array: expected a floating dtype");
        }
        if (type == DataType.FLOAT64) {
            try (NDArray view = manager.create(value)) {
                return view.duplicate(); // a clone owns its memory; toType(FLOAT64, true) would return the view
            }
        }
        return manager.full(new Shape(), (float) value, type);
    }
}
