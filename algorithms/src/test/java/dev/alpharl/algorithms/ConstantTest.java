package dev.alpharl.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConstantTest extends NdTestBase {

    /**
     * The backward pass of y = max(x · 1.5 / 4, 0.5) reads the saved constants after the garbage collector has run
     * and Java's direct memory has been reused. With DJL's {@code mul(Number)} overloads this gradient comes out as
     * garbage (Infinity on this machine): the constants were views of freed Java buffers.
     */
    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT32", "FLOAT64"})
    void savedConstantsSurviveTheGarbageCollectorBetweenForwardAndBackward(DataType type) throws InterruptedException {
        NDArray x = manager.create(new double[] {1, 2, 3}).toType(type, false);
        x.setRequiresGradient(true);
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray y = x.mul(Constant.like(x, 1.5)).div(Constant.like(x, 4)).maximum(Constant.like(x, 0.5));
            churnDirectMemory();
            gc.backward(y.sum());
        }
        // x = 1 gives 0.375 < 0.5: the maximum takes the constant, no gradient; otherwise d/dx = 1.5 / 4
        assertAllClose(x.getGradient(), new double[] {0, 0.375, 0.375}, 1e-7);
    }

    @Test
    void aConstantTakesTheDtypeAndManagerOfItsModelAndKeepsDoublePrecision() {
        NDArray x64 = manager.create(new double[] {1});
        NDArray c = Constant.like(x64, 0.1);
        assertThat(c.getDataType()).isEqualTo(DataType.FLOAT64);
        assertThat(c.getShape().dimension()).isZero();
        assertThat(c.getManager()).isSameAs(x64.getManager());
        assertThat(c.getDouble()).isEqualTo(0.1);
        assertThat(Constant.like(x64.toType(DataType.FLOAT32, false), 0.1).getFloat())
                .isEqualTo(0.1f);
    }

    @Test
    void integerArraysAreRefused() {
        NDArray ints = manager.create(new int[] {1, 2});
        assertThatThrownBy(() -> Constant.like(ints, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int32");
    }

    /** Runs the collector until Java's freed direct buffers are released, then reuses that memory. */
    private static void churnDirectMemory() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        List<ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(8);
            b.putDouble(0, 1e300);
            junk.add(b);
        }
        assertThat(junk).hasSize(10_000);
    }
}
