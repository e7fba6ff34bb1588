package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Loading a checkpoint and random initialisation put the weights into libtorch's memory, and saving one takes them
 * out, without a weight-sized buffer on the Java heap or in Java's direct or mapped buffer pools (issue 17): a 9.5M-parameter model (38 MB in
 * fp32, its embedding alone 32 MB) is loaded from a BF16 file and drawn at random while this thread's heap
 * allocations and the buffer pools are watched. Direct and mapped buffers are counted without a garbage collection
 * in between, because a direct buffer's memory is given back only when the collector finds it unreachable: a loader
 * that staged weights through direct buffers leaves them counted here. The bound, 1/16 of the largest weight, is
 * far above the few kB of bookkeeping per tensor and far below any copy of a weight.
 */
class WeightsStayNativeTest {

    /** Qwen3, hidden 256, 2 layers, vocabulary 32768: the embedding is 84% of the 9.5M parameters. */
    private static final QwenConfig CONFIG = QwenConfig.tiny("qwen3", 256, 512, 2, 4, 2, 64, 32768, true);

    private static final long LARGEST_WEIGHT_BYTES = 32768L * 256 * 4;
    private static final long BOUND = LARGEST_WEIGHT_BYTES / 16;

    private NDManager m;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    @Test
    void loadingACheckpointLeavesNoWeightSizedBufferInJava(@TempDir Path tmp) {
        Path dir = tmp.resolve("bf16");
        try (QwenModel model = QwenModel.random(CONFIG, 1, DataType.FLOAT32, m)) {
            HfCheckpoint.save(model, dir, SafetensorsDtype.BF16, null);
        }
        HfCheckpoint.load(dir, m).close(); // first use of the code path (class loading, the ops library)

        JavaMemory used = JavaMemory.around(() -> HfCheckpoint.load(dir, m));
        try (QwenModel loaded = used.model) {
            assertThat(weightBytes(loaded)).isEqualTo(4 * parameters());
            used.assertNoWeightSizedBuffer();
        }
    }

    @Test
    void randomInitialisationLeavesNoWeightSizedBufferInJava() {
        QwenModel.random(CONFIG, 2, DataType.FLOAT32, m).close();

        JavaMemory used = JavaMemory.around(() -> QwenModel.random(CONFIG, 3, DataType.FLOAT32, m));
        try (QwenModel model = used.model) {
            assertThat(weightBytes(model)).isEqualTo(4 * parameters());
            used.assertNoWeightSizedBuffer();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = SafetensorsDtype.class,
            names = {"F32", "BF16"})
    void savingACheckpointLeavesNoWeightSizedBufferInJava(SafetensorsDtype storeAs, @TempDir Path tmp) {
        try (QwenModel model = QwenModel.random(CONFIG, 4, DataType.FLOAT32, m)) {
            HfCheckpoint.save(model, tmp.resolve("first"), storeAs, null); // first use of the code path

            JavaMemory used = JavaMemory.around(() -> {
                HfCheckpoint.save(model, tmp.resolve("second"), storeAs, null);
                return null;
            });
            used.assertNoWeightSizedBuffer();
        }
        try (QwenModel first = HfCheckpoint.load(tmp.resolve("first"), m);
                QwenModel second = HfCheckpoint.load(tmp.resolve("second"), m)) {
            first.weights()
                    .forEach((name, w) -> assertThat(
                                    w.contentEquals(second.weights().get(name)))
                            .as(name)
                            .isTrue());
        }
    }

    private static long parameters() {
        return QwenModel.expectedShapes(CONFIG).values().stream()
                .mapToLong(s -> s.size())
                .sum();
    }

    private static long weightBytes(QwenModel model) {
        long bytes = 0;
        for (NDArray w : model.weights().values()) {
            bytes += w.size() * w.getDataType().getNumOfBytes();
        }
        return bytes;
    }

    /** What making a model cost on the Java side. */
    private static final class JavaMemory {
        QwenModel model;
        long allocated; // heap bytes this thread allocated, garbage included
        long retained; // growth of the heap in use, garbage collected before and after
        long direct; // growth of the direct buffer pool, no collection in between
        long mapped; // growth of the mapped buffer pool, no collection in between

        static JavaMemory around(Supplier<QwenModel> make) {
            JavaMemory j = new JavaMemory();
            System.gc();
            long heap = heapUsed();
            long direct = pool("direct");
            long mapped = pool("mapped");
            long allocated = threadAllocated();
            j.model = make.get();
            j.allocated = threadAllocated() - allocated;
            j.direct = pool("direct") - direct;
            j.mapped = pool("mapped") - mapped;
            System.gc();
            j.retained = heapUsed() - heap;
            return j;
        }

        void assertNoWeightSizedBuffer() {
            String figures = String.format(
                    "heap allocated %d B, heap retained %d B, direct %d B, mapped %d B; largest weight %d B",
                    allocated, retained, direct, mapped, LARGEST_WEIGHT_BYTES);
            System.out.println(figures);
            assertThat(allocated).as(figures).isLessThan(BOUND);
            assertThat(retained).as(figures).isLessThan(BOUND);
            assertThat(direct).as(figures).isLessThan(BOUND);
            assertThat(mapped).as(figures).isLessThan(BOUND);
        }

        private static long threadAllocated() {
            return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                    .getCurrentThreadAllocatedBytes();
        }

        private static long heapUsed() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        private static long pool(String name) {
            return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(p -> p.getName().equals(name))
                    .mapToLong(BufferPoolMXBean::getMemoryUsed)
                    .sum();
        }
    }
}
