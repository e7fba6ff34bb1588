package dev.alpharl.trainer.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A libtorch on disk, read from its files only (nothing is loaded): what kind of install it is, its version, whether
 * it is a CUDA build, whether it has the headers a JNI build needs, where its CUDA runtime is.
 *
 * @param kind         pip (site-packages/torch), conda (an env's lib/), libtorch-zip (pytorch.org's zip),
 *                     system (/usr/lib...), djl-cache (extracted or downloaded by DJL), other
 * @param libDir       the directory holding libtorch.so
 * @param version      e.g. "2.7.1+cu128", "2.11.0", or null when no file tells
 * @param cudaVersion  e.g. "12.8" for a CUDA build when a file tells, else null
 * @param cuda         whether libtorch_cuda.so is there
 * @param headers      whether torch's C++ headers are there (needed to build a JNI library)
 * @param dedicated    whether libDir holds only torch's libraries: DJL loads every library under
 *                     PYTORCH_LIBRARY_PATH, so a system or conda lib directory must not be given directly
 * @param cudaLibDirs  pip's site-packages/nvidia/NAME/lib directories (torch's CUDA libraries)
 * @param cudart       the CUDA runtime file next to this torch (libcudart.so*), or null
 * @param jni          a JNI library installed next to libtorch (DJL uses it before any other), or null
 */
public record TorchInstall(
        String kind,
        String libDir,
        String version,
        String cudaVersion,
        boolean cuda,
        boolean headers,
        boolean dedicated,
        List<String> cudaLibDirs,
        String cudart,
        String jni) {

    private static final Pattern SYSTEM_LIB_DIR = Pattern.compile("(/usr(/local)?)?/lib(64|/[a-z0-9_]+-linux-gnu)?");
    private static final Pattern DJL_CACHE_DIR =
            Pattern.compile("(\\d+\\.\\d+\\.\\d+)(-\\d+)?-(cpu|cu(\\d+))(-precxx11)?-[a-z]+-[a-z0-9_]+");
    private static final Pattern PY_STRING =
            Pattern.compile("^(\\w+)(?::[^=\n]*)? = ['\"]([^'\"]*)['\"]", Pattern.MULTILINE);
    private static final Pattern CU_SUFFIX = Pattern.compile("\\+cu(\\d+)(\\d)$");
    private static final Pattern UNVERSIONED_SO = Pattern.compile("lib(.+)\\.so\\.(\\d+(\\.\\d+)*)");
    private static final String HEADER = "torch/csrc/api/include/torch/torch.h";

    /** The version without a local suffix: "2.7.1" for "2.7.1+cu128", null when unknown. */
    public String baseVersion() {
        return version == null ? null : version.replaceFirst("\\+.*", "");
    }

    /** Whether libcudart here has a name JNA finds by "cudart" (libcudart.so or libcudart.so.N, not a hashed name). */
    public boolean cudartFindableByJna() {
        return cudart != null && Path.of(cudart).getFileName().toString().matches("libcudart\\.so(\\.\\d+)*");
    }

    /** Whether {@code dir} holds libtorch.so. */
    public static boolean hasLibtorch(Path dir) {
        return Files.isRegularFile(dir.resolve("libtorch.so"));
    }

    /** Reads the install whose libtorch.so is in {@code libDir}; {@code djlVersion} names the JNI file to look for. */
    public static TorchInstall inspect(Path libDir, String djlVersion) {
        Path lib = libDir.toAbsolutePath().normalize();
        Path root = lib.getParent() == null ? lib : lib.getParent();
        boolean system = SYSTEM_LIB_DIR.matcher(lib.toString()).matches();
        Matcher cacheName = DJL_CACHE_DIR.matcher(
                lib.getFileName() == null ? "" : lib.getFileName().toString());
        String kind;
        if (Files.isRegularFile(root.resolve("version.py")) && Files.isRegularFile(root.resolve("__init__.py"))) {
            kind = "pip";
        } else if (Files.isDirectory(root.resolve("conda-meta"))) {
            kind = "conda";
        } else if (system) {
            kind = "system";
        } else if (cacheName.matches()) {
            kind = "djl-cache";
        } else if (Files.isRegularFile(root.resolve("build-version"))) {
            kind = "libtorch-zip";
        } else {
            kind = "other";
        }
        Path prefix = system ? (lib.startsWith("/usr/local") ? Path.of("/usr/local") : Path.of("/usr")) : root;

        String version = null;
        String cudaVersion = null;
        switch (kind) {
            case "pip" -> {
                String py = read(root.resolve("version.py"));
                version = pyValue(py, "__version__");
                cudaVersion = pyValue(py, "cuda");
            }
            case "libtorch-zip" -> version = firstLine(read(root.resolve("build-version")));
            case "conda" -> version = condaVersion(root);
            case "djl-cache" -> {
                version = cacheName.group(1);
                String cu = cacheName.group(4);
                if (cu != null && cu.length() >= 2) {
                    cudaVersion = Integer.parseInt(cu.substring(0, cu.length() - 1)) + "." + cu.charAt(cu.length() - 1);
                }
            }
            default -> {}
        }
        if (version == null) {
            version = headerVersion(prefix.resolve("include"));
        }
        if (version == null && "system".equals(kind)) {
            version = soVersion(lib.resolve("libtorch.so"));
        }
        if (version == null && Files.isSymbolicLink(lib.resolve("libtorch.so"))) {
            // a directory of links (bench/gpu/build-jni.sh makes them): read the install the link leads to
            try {
                Path target = lib.resolve("libtorch.so").toRealPath().getParent();
                if (target != null && !target.equals(lib)) {
                    TorchInstall real = inspect(target, djlVersion);
                    version = real.version();
                    cudaVersion = real.cudaVersion();
                }
            } catch (IOException e) {
                // a dangling link: version unknown
            }
        }
        if (cudaVersion == null && version != null) {
            Matcher cu = CU_SUFFIX.matcher(version);
            if (cu.find()) {
                cudaVersion = Integer.parseInt(cu.group(1)) + "." + cu.group(2);
            }
        }
        boolean cuda = Files.exists(lib.resolve("libtorch_cuda.so"));
        boolean headers = Files.isRegularFile(prefix.resolve("include").resolve(HEADER))
                || Files.isRegularFile(root.resolve("include").resolve(HEADER));
        boolean dedicated = !system && !"conda".equals(kind) && !hasPythonDir(lib);

        List<String> cudaLibDirs = new ArrayList<>();
        if ("pip".equals(kind) && root.getParent() != null) {
            Path nvidia = root.getParent().resolve("nvidia");
            try (Stream<Path> dirs = Files.isDirectory(nvidia) ? Files.list(nvidia) : Stream.empty()) {
                dirs.map(d -> d.resolve("lib"))
                        .filter(Files::isDirectory)
                        .sorted()
                        .forEach(d -> cudaLibDirs.add(d.toString()));
            } catch (IOException e) {
                // unreadable: no CUDA library directories to report
            }
        }
        String cudart = cuda ? findCudart(lib, cudaLibDirs) : null;
        String jni = null;
        for (String name : List.of(djlVersion + "-libdjl_torch.so", "libdjl_torch.so")) {
            if (Files.isRegularFile(lib.resolve(name))) {
                jni = lib.resolve(name).toString();
                break;
            }
        }
        return new TorchInstall(
                kind, lib.toString(), version, cudaVersion, cuda, headers, dedicated, cudaLibDirs, cudart, jni);
    }

    private static String findCudart(Path lib, List<String> cudaLibDirs) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(lib);
        cudaLibDirs.forEach(d -> dirs.add(Path.of(d)));
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.list(dir)) {
                // prefer the name JNA finds (libcudart.so, libcudart.so.12) over a hashed copy (libcudart-1a2b.so.12)
                List<Path> found = files.filter(f -> f.getFileName().toString().startsWith("libcudart"))
                        .filter(f -> f.getFileName().toString().contains(".so"))
                        .sorted(Comparator.comparing(
                                        (Path f) -> !f.getFileName().toString().matches("libcudart\\.so(\\.\\d+)*"))
                                .thenComparing(Path::toString))
                        .toList();
                if (!found.isEmpty()) {
                    return found.get(0).toString();
                }
            } catch (IOException e) {
                // unreadable directory: look in the next one
            }
        }
        return null;
    }

    private static boolean hasPythonDir(Path lib) {
        try (Stream<Path> files = Files.list(lib)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("python3") && Files.isDirectory(f));
        } catch (IOException e) {
            return false;
        }
    }

    private static String condaVersion(Path prefix) {
        try (Stream<Path> files = Files.list(prefix.resolve("conda-meta"))) {
            Pattern meta = Pattern.compile("(libtorch|pytorch)-(\\d+\\.\\d+\\.\\d+)-.*\\.json");
            return files.map(f -> meta.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches)
                    .map(m -> m.group(2))
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static String headerVersion(Path include) {
        String h = read(include.resolve("torch/csrc/api/include/torch/version.h"));
        if (h == null) {
            return null;
        }
        String[] parts = new String[3];
        String[] names = {"MAJOR", "MINOR", "PATCH"};
        for (int i = 0; i < 3; i++) {
            Matcher m = Pattern.compile("#define TORCH_VERSION_" + names[i] + " (\\d+)")
                    .matcher(h);
            if (!m.find()) {
                return null;
            }
            parts[i] = m.group(1);
        }
        return String.join(".", parts);
    }

    /** The version in the real file name a libtorch.so link leads to (Debian: libtorch.so.1.13.0). */
    private static String soVersion(Path libtorch) {
        try {
            Matcher m =
                    UNVERSIONED_SO.matcher(libtorch.toRealPath().getFileName().toString());
            return m.matches() && m.group(2).contains(".") ? m.group(2) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String pyValue(String py, String name) {
        if (py == null) {
            return null;
        }
        Matcher m = PY_STRING.matcher(py);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        return null;
    }

    private static String firstLine(String text) {
        return text == null ? null : text.strip().lines().findFirst().orElse(null);
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
