package dev.alpharl.trainer.doctor;

import dev.alpharl.trainer.doctor.EngineFacts.LoadedLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The shared libraries mapped into this process, read from /proc/self/maps (Linux): where each was loaded from. */
final class NativeMaps {

    /** Libraries the doctor reports: torch, its JNI layer, CUDA, BLAS and OpenMP runtimes, JNA. */
    private static final Pattern INTERESTING = Pattern.compile(
            "(\\d+\\.\\d+\\.\\d+-)?lib(torch|c10|djl_torch|caffe2|shm|fbgemm|cudart|cuda|cudnn|cublas|cusparse|cufft|curand|cusolver|nccl"
                    + "|nvrtc|nvToolsExt|nvJitLink|cupti|gomp|iomp5|omp|mkl|openblas|blas|lapack|jnidispatch).*");

    private NativeMaps() {}

    /** The libraries of interest mapped now, in mapping order, each once. */
    static List<LoadedLibrary> loaded() {
        return parse(read());
    }

    static List<LoadedLibrary> parse(List<String> mapsLines) {
        Map<String, LoadedLibrary> byPath = new LinkedHashMap<>();
        for (String line : mapsLines) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String path = line.substring(slash).strip().replaceFirst(" \\(deleted\\)$", "");
            String name = Path.of(path).getFileName().toString();
            if (name.contains(".so") && INTERESTING.matcher(name).matches()) {
                byPath.putIfAbsent(path, new LoadedLibrary(name, path));
            }
        }
        return List.copyOf(byPath.values());
    }

    /** The first mapped library whose file name starts with {@code prefix}, or null. */
    static LoadedLibrary find(List<LoadedLibrary> libraries, String prefix) {
        return libraries.stream()
                .filter(l -> l.name().startsWith(prefix))
                .findFirst()
                .orElse(null);
    }

    private static List<String> read() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
