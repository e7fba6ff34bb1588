package dev.alpharl.trainer.doctor;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the libtorch installs on this machine by looking where pip, conda, a libtorch zip, Debian and DJL put them
 * (files only, nothing is run or loaded): every site-packages/torch/lib of the system's, the user's, pyenv's, a
 * virtualenv's and conda's Pythons, conda envs' own lib/, /opt/X and ~/X libtorch zips, /usr/lib, DJL's cache, the
 * PYTORCH_LIBRARY_PATH entries and the directories given (searched a few levels deep).
 */
public final class TorchFinder {

    private static final int SEARCH_DEPTH = 10;
    private static final Set<String> CONDA_NAMES =
            Set.of("miniconda3", "anaconda3", "miniforge3", "mambaforge", "micromamba", "conda", "miniconda");

    private final Map<String, String> env;
    private final Path home;
    private final boolean systemRoots;
    private final List<Path> extra;
    private final Path djlCache;

    /**
     * @param env          the environment (PYTORCH_LIBRARY_PATH, CONDA_PREFIX, VIRTUAL_ENV, LIBTORCH ...)
     * @param home         the user's home directory
     * @param systemRoots  whether to look in /usr, /opt and /root-level places (tests turn it off)
     * @param extra        directories to search a few levels deep
     * @param djlCache     DJL's engine cache directory for PyTorch (its extracted libtorch), or null
     */
    public TorchFinder(Map<String, String> env, Path home, boolean systemRoots, List<Path> extra, Path djlCache) {
        this.env = env;
        this.home = home;
        this.systemRoots = systemRoots;
        this.extra = extra;
        this.djlCache = djlCache;
    }

    /** The installs found, each once (by real path), in the order above. */
    public List<TorchInstall> find(String djlVersion) {
        Map<Path, TorchInstall> found = new LinkedHashMap<>();
        for (Path dir : candidates()) {
            if (!TorchInstall.hasLibtorch(dir)) {
                continue;
            }
            try {
                found.putIfAbsent(dir.toRealPath(), TorchInstall.inspect(dir, djlVersion));
            } catch (IOException | RuntimeException e) {
                // vanished or unreadable while looking: skip it
            }
        }
        return List.copyOf(found.values());
    }

    private List<Path> candidates() {
        List<Path> dirs = new ArrayList<>();
        String libraryPath = env.get("PYTORCH_LIBRARY_PATH");
        if (libraryPath != null) {
            for (String entry : libraryPath.split(":")) {
                if (!entry.isBlank()) {
                    Path p = Path.of(entry);
                    dirs.add(
                            p.getFileName() != null
                                            && p.getFileName().toString().equals("libtorch.so")
                                    ? p.getParent()
                                    : p);
                }
            }
        }
        List<Path> sitePackages = new ArrayList<>();
        List<Path> pythonPrefixes = new ArrayList<>();
        pythonPrefixes.add(home.resolve(".local"));
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            if (env.get(var) != null) {
                pythonPrefixes.add(Path.of(env.get(var)));
            }
        }
        pythonPrefixes.addAll(children(home.resolve(".pyenv/versions")));
        pythonPrefixes.addAll(children(home.resolve(".virtualenvs")));
        pythonPrefixes.addAll(children(home)); // ~/venv, ~/.venv, ~/myenv ...
        List<Path> condaRoots = new ArrayList<>();
        if (env.get("CONDA_EXE") != null) {
            Path exe = Path.of(env.get("CONDA_EXE")).getParent();
            if (exe != null && exe.getParent() != null) {
                condaRoots.add(exe.getParent());
            }
        }
        children(home).stream()
                .filter(d -> CONDA_NAMES.contains(d.getFileName().toString().replaceFirst("^\\.", "")))
                .forEach(condaRoots::add);
        if (systemRoots) {
            pythonPrefixes.add(Path.of("/usr"));
            pythonPrefixes.add(Path.of("/usr/local"));
            for (Path opt : children(Path.of("/opt"))) {
                pythonPrefixes.add(opt);
                if (CONDA_NAMES.contains(opt.getFileName().toString())) {
                    condaRoots.add(opt);
                }
            }
        }
        for (Path root : condaRoots) {
            pythonPrefixes.add(root);
            pythonPrefixes.addAll(children(root.resolve("envs")));
        }
        for (Path prefix : pythonPrefixes) {
            dirs.add(prefix.resolve("lib")); // conda-forge's libtorch lives in the env's lib/
            dirs.add(prefix.resolve("torch/lib")); // pip install --target DIR
            for (Path lib : List.of(prefix.resolve("lib"), prefix.resolve("lib64"))) {
                for (Path python : children(lib)) {
                    if (python.getFileName().toString().startsWith("python3")) {
                        sitePackages.add(python.resolve("site-packages"));
                        sitePackages.add(python.resolve("dist-packages"));
                    }
                }
            }
        }
        if (systemRoots) {
            sitePackages.add(Path.of("/usr/lib/python3/dist-packages"));
        }
        sitePackages.forEach(sp -> dirs.add(sp.resolve("torch/lib")));

        List<Path> zips = new ArrayList<>();
        for (String var : List.of("LIBTORCH", "LIBTORCH_HOME", "TORCH_HOME")) {
            if (env.get(var) != null) {
                zips.add(Path.of(env.get(var)));
            }
        }
        zips.add(home.resolve("libtorch"));
        zips.add(home.resolve("Downloads/libtorch"));
        if (systemRoots) {
            zips.add(Path.of("/opt/libtorch"));
            zips.add(Path.of("/usr/local/libtorch"));
            children(Path.of("/opt")).forEach(o -> zips.add(o.resolve("libtorch")));
        }
        zips.forEach(z -> dirs.add(z.resolve("lib")));
        if (systemRoots) {
            dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
            dirs.add(Path.of("/usr/lib64"));
            dirs.add(Path.of("/usr/local/lib"));
        }
        if (djlCache != null) {
            dirs.addAll(children(djlCache));
        }
        for (Path root : extra) {
            dirs.addAll(search(root));
        }
        return dirs;
    }

    /** Directories holding libtorch.so under {@code root}, a few levels deep (links not followed). */
    static List<Path> search(Path root) {
        if (TorchInstall.hasLibtorch(root)) {
            return List.of(root);
        }
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.find(
                root,
                SEARCH_DEPTH,
                (p, a) -> p.getFileName() != null && p.getFileName().toString().equals("libtorch.so"),
                new FileVisitOption[0])) {
            return files.map(Path::getParent).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static List<Path> children(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isDirectory).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
