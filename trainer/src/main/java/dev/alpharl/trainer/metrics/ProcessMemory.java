package dev.alpharl.trainer.metrics;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory of this process. Resident memory matters more than the heap here: model weights and activations live in
 * libtorch's native memory, outside the Java heap.
 */
public final class ProcessMemory {

    private static final Path PROC_STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private ProcessMemory() {}

    /**
     * Resident set size in bytes: {@code VmRSS} of /proc/self/status on Linux. Where that is absent, the JVM's
     * committed heap plus non-heap memory, a lower bound that misses native (libtorch) allocations.
     */
    public static long residentBytes() {
        long rss = vmRssBytes(PROC_STATUS);
        return rss >= 0
                ? rss
                : MEMORY.getHeapMemoryUsage().getCommitted()
                        + MEMORY.getNonHeapMemoryUsage().getCommitted();
    }

    /**
     * Bytes in use on a CUDA device, by every process (total minus free, as nvidia-smi reports it), or -1 when the
     * device is not a GPU or the CUDA runtime library cannot be queried.
     */
    public static long gpuUsedBytes(Device device) {
        if (!device.isGpu()) {
            return -1;
        }
        try {
            return CudaUtils.getGpuMemory(device).getUsed();
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /** Bytes of Java heap in use. */
    public static long heapUsedBytes() {
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /**
     * Peak resident set size in bytes since the process started: {@code VmHWM} of /proc/self/status (Linux), or -1
     * where that is unavailable.
     */
    public static long peakResidentBytes() {
        return statusKiloBytes(PROC_STATUS, "VmHWM");
    }

    /**
     * Resets the peak ({@code VmHWM}) to the current resident size by writing 5 to /proc/self/clear_refs (Linux
     * 4.0+); false where that is not possible.
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code VmRSS} of a /proc status file in bytes, or -1 when the file or the field is missing or unreadable. */
    static long vmRssBytes(Path statusFile) {
        return statusKiloBytes(statusFile, "VmRSS");
    }

    /** A "Field:   123 kB" line of a /proc status file in bytes, or -1 when the file or the field is missing. */
    static long statusKiloBytes(Path statusFile, String field) {
        String prefix = field + ":";
        try {
            for (String line : Files.readAllLines(statusFile, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith(prefix)) {
                    // the kernel always reports these in kB
                    String[] parts = line.substring(prefix.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no procfs (macOS, Windows) or an unexpected format: the caller falls back
        }
        return -1;
    }
}
