package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.alpharl.trainer.metrics.ProcessMemory;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Resident memory around loading and random initialisation, for docs/results.md ("Loading"); run by hand, one JVM
 * per measurement ({@code java -cp <test classpath> dev.alpharl.trainer.model.LoadMemoryProbe ...}):
 * <pre>
 *   save   DIR layers hidden intermediate heads kvHeads headDim vocab tied F32|BF16   random weights (seed 1) to DIR
 *   load   DIR                                                                        HfCheckpoint.load to fp32
 *   random layers hidden intermediate heads kvHeads headDim vocab tied                QwenModel.random in fp32
 * </pre>
 * The baseline is taken after the engine, the ops library and the code path are warm (a 3-tensor model made and
 * closed the same way), with no weights alive. Prints one line of figures.
 */
public final class LoadMemoryProbe {

    private LoadMemoryProbe() {}

    public static void main(String[] args) {
        TorchRuntime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            switch (args[0]) {
                case "save" -> {
                    QwenConfig config = config(args, 2);
                    try (QwenModel model = QwenModel.random(config, 1, DataType.FLOAT32, m)) {
                        HfCheckpoint.save(model, Path.of(args[1]), SafetensorsDtype.valueOf(args[10]), null);
                    }
                    System.out.printf(Locale.ROOT, "saved %d parameters to %s%n", parameters(config), args[1]);
                }
                case "load" -> {
                    QwenModel.random(QwenConfig.tiny("qwen3", 8, 8, 1, 1, 1, 8, 8, true), 0, DataType.FLOAT32, m)
                            .close(); // warm: engine, ops library, classes
                    long baseline = ProcessMemory.residentBytes();
                    try (QwenModel model = HfCheckpoint.load(Path.of(args[1]), m)) {
                        report(baseline, model);
                    }
                }
                case "random" -> {
                    QwenModel.random(QwenConfig.tiny("qwen3", 8, 8, 1, 1, 1, 8, 8, true), 0, DataType.FLOAT32, m)
                            .close();
                    long baseline = ProcessMemory.residentBytes();
                    try (QwenModel model = QwenModel.random(config(args, 1), 1, DataType.FLOAT32, m)) {
                        report(baseline, model);
                    }
                }
                default -> throw new IllegalArgumentException("mode save, load or random, got " + args[0]);
            }
        }
    }

    private static QwenConfig config(String[] a, int i) {
        return QwenConfig.tiny(
                "qwen3",
                Integer.parseInt(a[i + 1]),
                Integer.parseInt(a[i + 2]),
                Integer.parseInt(a[i]),
                Integer.parseInt(a[i + 3]),
                Integer.parseInt(a[i + 4]),
                Integer.parseInt(a[i + 5]),
                Integer.parseInt(a[i + 6]),
                Boolean.parseBoolean(a[i + 7]));
    }

    private static long parameters(QwenConfig config) {
        return QwenModel.expectedShapes(config).values().stream()
                .mapToLong(s -> s.size())
                .sum();
    }

    private static void report(long baseline, QwenModel model) {
        long after = ProcessMemory.residentBytes();
        long peak = ProcessMemory.peakResidentBytes();
        long weights = 0;
        for (NDArray w : model.weights().values()) {
            weights += w.size() * w.getDataType().getNumOfBytes();
        }
        double mb = 1 << 20;
        System.out.printf(
                Locale.ROOT,
                "weights_mb=%.1f baseline_rss_mb=%.1f after_rss_mb=%.1f peak_rss_mb=%.1f ratio=%.3f peak_ratio=%.3f"
                        + " heap_used_mb=%.1f direct_mb=%.3f mapped_mb=%.3f%n",
                weights / mb,
                baseline / mb,
                after / mb,
                peak / mb,
                (after - baseline) / (double) weights,
                (peak - baseline) / (double) weights,
                ProcessMemory.heapUsedBytes() / mb,
                pool("direct") / mb,
                pool("mapped") / mb);
    }

    private static long pool(String name) {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals(name))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
    }
}
