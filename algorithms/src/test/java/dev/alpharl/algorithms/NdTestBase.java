package dev.alpharl.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** One PyTorch NDManager per test, plus small helpers to build and check arrays. */
abstract class NdTestBase {
    protected NDManager manager;

    @BeforeEach
    void openManager() {
        manager = Engine.getEngine("PyTorch").newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** A float32 [B, T] array. */
    protected NDArray f32(double[][] rows) {
        return f64(rows).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    }

    /** A float32 [B] array. */
    protected NDArray f32(double... values) {
        return manager.create(values).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    }

    /** A float64 [B, T] array. */
    protected NDArray f64(double[][] rows) {
        int b = rows.length;
        int t = b == 0 ? 0 : rows[0].length;
        double[] flat = new double[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(rows[i], 0, flat, i * t, t);
        }
        return manager.create(flat, new Shape(b, t));
    }

    /** A [B, T] float mask with the first {@code lengths[i]} entries of row i set. */
    protected static double[][] maskOf(int steps, int... lengths) {
        double[][] m = new double[lengths.length][steps];
        for (int i = 0; i < lengths.length; i++) {
            for (int t = 0; t < lengths[i]; t++) {
                m[i][t] = 1;
            }
        }
        return m;
    }

    protected static double[][] rows(NDArray a) {
        NDArray d = a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
        double[] flat = d.toDoubleArray();
        int b = (int) a.getShape().get(0);
        int t = (int) a.getShape().get(1);
        double[][] out = new double[b][t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * t, out[i], 0, t);
        }
        return out;
    }

    protected static double[] values(NDArray a) {
        return a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    }

    protected static double scalar(NDArray a) {
        return values(a)[0];
    }

    protected static void assertAllClose(NDArray actual, double[][] expected, double tol) {
        double[][] got = rows(actual);
        assertThat(got.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            for (int t = 0; t < expected[i].length; t++) {
                assertThat(got[i][t]).as("[%d, %d]", i, t).isCloseTo(expected[i][t], within(tol));
            }
        }
    }

    protected static void assertAllClose(NDArray actual, double[] expected, double tol) {
        double[] got = values(actual);
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(got[i]).as("[%d]", i).isCloseTo(expected[i], within(tol));
        }
    }

    /** Every entry is zero (either sign). */
    protected static void assertAllZero(double[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            assertThat(values[i] == 0)
                    .as("%s [%d] = %s is zero", what, i, values[i])
                    .isTrue();
        }
    }

    protected static void assertFinite(NDArray a) {
        for (double v : values(a)) {
            assertThat(Double.isFinite(v)).as("finite entry, got %s", v).isTrue();
        }
    }
}
