package dev.alpharl.trainer.doctor;

import dev.alpharl.trainer.doctor.DoctorReport.DjlInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Fake torch installs on disk (files only: nothing in them loads) and DJL facts, for the doctor's tests. */
final class DoctorFixtures {

    private DoctorFixtures() {}

    /** DJL 0.36 as trainer.jar carries it. */
    static DjlInfo djl(Path cacheDir) {
        return new DjlInfo(
                "0.36.0",
                "2.7.1-0.36.0",
                List.of("cpu", "cu128"),
                "2.7.1-20250812",
                "cpu",
                "linux-x86_64",
                cacheDir.toString(),
                true,
                null);
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A pip torch under {@code sitePackages}: torch/lib/libtorch.so, torch/version.py, optionally libtorch_cuda.so
     * and nvidia/cuda_runtime/lib/libcudart.so.MAJOR, optionally the C++ headers. Returns torch/lib.
     */
    static Path pipTorch(Path sitePackages, String version, String cuda, boolean headers) {
        Path torch = sitePackages.resolve("torch");
        write(torch.resolve("__init__.py"), "");
        write(
                torch.resolve("version.py"),
                "from typing import Optional\n\n__all__ = ['__version__']\n__version__ = '" + version
                        + "'\ndebug = False\ncuda: Optional[str] = " + (cuda == null ? "None" : "'" + cuda + "'")
                        + "\ngit_version = 'abc'\n");
        write(torch.resolve("lib/libtorch.so"), "not a library");
        write(torch.resolve("lib/libtorch_cpu.so"), "not a library");
        write(torch.resolve("lib/libc10.so"), "not a library");
        if (cuda != null) {
            write(torch.resolve("lib/libtorch_cuda.so"), "not a library");
            write(
                    sitePackages.resolve("nvidia/cuda_runtime/lib/libcudart.so." + cuda.replaceFirst("\\..*", "")),
                    "not a library");
            write(sitePackages.resolve("nvidia/cublas/lib/libcublas.so.12"), "not a library");
        }
        if (headers) {
            write(torch.resolve("include/torch/csrc/api/include/torch/torch.h"), "// header");
        }
        return torch.resolve("lib");
    }

    /** An unzipped libtorch (pytorch.org's zip): lib/, include/, build-version; a CUDA one has a hashed cudart. */
    static Path libtorchZip(Path root, String version, boolean cuda) {
        write(root.resolve("build-version"), version + "\n");
        write(root.resolve("lib/libtorch.so"), "not a library");
        write(root.resolve("include/torch/csrc/api/include/torch/torch.h"), "// header");
        if (cuda) {
            write(root.resolve("lib/libtorch_cuda.so"), "not a library");
            write(root.resolve("lib/libcudart-218eec4c.so.12"), "not a library");
        }
        return root.resolve("lib");
    }
}
