package dev.alpharl.trainer.doctor;

import dev.alpharl.trainer.doctor.DoctorReport.Advice;
import dev.alpharl.trainer.doctor.DoctorReport.DjlInfo;
import dev.alpharl.trainer.doctor.DoctorReport.Finding;
import dev.alpharl.trainer.doctor.DoctorReport.GpuInfo;
import dev.alpharl.trainer.doctor.DoctorReport.JavaInfo;
import dev.alpharl.trainer.doctor.DoctorReport.Level;
import dev.alpharl.trainer.doctor.DoctorReport.LibtorchChoice;
import dev.alpharl.trainer.doctor.DoctorReport.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code trainer.jar doctor}: gathers what decides whether the trainer can use a GPU, without training. Nothing here
 * throws on a broken setup: each probe catches its failure and reports it.
 */
public final class Doctor {

    /** The settings DJL, JNA and libtorch read, reported when set. */
    static final List<String> SETTING_NAMES = List.of(
            "PYTORCH_LIBRARY_PATH",
            "PYTORCH_VERSION",
            "PYTORCH_FLAVOR",
            "PYTORCH_PRECXX11",
            "PYTORCH_LIBRARY_EXCLUSION",
            "PYTORCH_EXTRA_LIBRARY_PATH",
            "LIBSTDCXX_LIBRARY_PATH",
            "DJL_CACHE_DIR",
            "ENGINE_CACHE_DIR",
            "DJL_OFFLINE",
            "ai.djl.offline",
            "ai.djl.pytorch.num_threads",
            "ai.djl.pytorch.num_interop_threads",
            "jna.library.path",
            "LD_LIBRARY_PATH",
            "CUDA_VISIBLE_DEVICES",
            "CUDA_HOME",
            "OMP_NUM_THREADS",
            "MKL_NUM_THREADS",
            "JAVA_TOOL_OPTIONS");

    /**
     * How to run.
     *
     * @param engine     whether to start the engine (CUDA, threads and bf16 checks need it)
     * @param inProcess  start it in this JVM rather than a child JVM (a native crash then ends the doctor)
     * @param timeout    how long the child JVM may take
     * @param searchDirs more directories to look for libtorch installs in
     * @param systemRoots whether to look in /usr, /opt (tests turn it off)
     */
    public record Options(
            boolean engine, boolean inProcess, Duration timeout, List<Path> searchDirs, boolean systemRoots) {

        public static Options defaults() {
            return new Options(true, false, Duration.ofSeconds(180), List.of(), true);
        }
    }

    private Doctor() {}

    /** Examines this machine and JVM. */
    public static DoctorReport examine(Options options) {
        Map<String, String> properties = new HashMap<>();
        System.getProperties().forEach((k, v) -> properties.put(k.toString(), v.toString()));
        DjlLookup.Settings settings = new DjlLookup.Settings(System.getenv(), properties);
        DjlInfo djl = DjlLookup.djlInfo(settings);
        GpuInfo gpu = gpuInfo();

        EngineFacts engine = null;
        List<String> engineLog = List.of();
        if (options.engine()) {
            if (options.inProcess()) {
                engine = EngineProbe.examine();
            } else {
                ChildProbe.Outcome outcome = ChildProbe.run(options.timeout());
                engine = outcome.facts();
                engineLog = outcome.log();
            }
        }
        List<Finding> own = new ArrayList<>();
        EngineFacts facts = engine;
        LibtorchChoice choice = guarded(
                "reading where DJL takes libtorch from",
                () -> DjlLookup.predict(settings, djl, facts),
                new LibtorchChoice(List.of(), false, null, null, null, "unknown (see the WARN finding)", true),
                own);
        Path home = Path.of(System.getProperty("user.home"));
        Path cache = djl.cacheDir() == null ? home.resolve(".djl.ai/pytorch") : Path.of(djl.cacheDir());
        List<TorchInstall> found = guarded(
                "looking for torch installs",
                () -> new TorchFinder(settings.env(), home, options.systemRoots(), options.searchDirs(), cache)
                        .find(djl.version() == null ? "0.36.0" : djl.version()),
                List.of(),
                own);
        List<Advice> installs = guarded(
                "advising on the torch installs",
                () -> found.stream().map(t -> EnvAdvisor.advise(t, djl, cache)).toList(),
                List.of(),
                own);
        List<Finding> findings = new ArrayList<>(guarded(
                "drawing conclusions",
                () -> Diagnosis.of(settings, djl, choice, facts, gpu, installs),
                List.of(),
                own));
        findings.addAll(own);
        boolean ok = findings.stream().noneMatch(f -> f.level() == Level.ERROR);
        return new DoctorReport(
                ok, javaInfo(), djl, settings(settings), choice, engine, engineLog, gpu, installs, findings);
    }

    /** Runs one of the doctor's own steps; a bug in it becomes a WARN finding instead of ending the report. */
    private static <T> T guarded(String step, Supplier<T> run, T fallback, List<Finding> findings) {
        try {
            return run.get();
        } catch (RuntimeException | LinkageError e) {
            findings.add(new Finding(
                    Level.WARN,
                    "the doctor failed while " + step + ": " + e,
                    List.of("please report this with the output of `doctor --json`")));
            return fallback;
        }
    }

    static JavaInfo javaInfo() {
        Runtime rt = Runtime.getRuntime();
        return new JavaInfo(
                System.getProperty("java.version"),
                System.getProperty("java.vendor"),
                System.getProperty("java.home"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                rt.availableProcessors(),
                rt.maxMemory() >> 20);
    }

    static List<Setting> settings(DjlLookup.Settings s) {
        List<Setting> set = new ArrayList<>();
        for (String name : SETTING_NAMES) {
            if (s.env().get(name) != null) {
                set.add(new Setting(name, s.env().get(name), "env"));
            } else if (s.properties().get(name) != null) {
                set.add(new Setting(name, s.properties().get(name), "-D"));
            }
        }
        return set;
    }

    /** The NVIDIA driver, device nodes and nvidia-smi's view, without loading anything. */
    static GpuInfo gpuInfo() {
        String driver = null;
        try {
            Path version = Path.of("/proc/driver/nvidia/version");
            if (Files.isReadable(version)) {
                driver = Files.readAllLines(version).stream()
                        .findFirst()
                        .map(String::strip)
                        .orElse(null);
            }
        } catch (IOException | RuntimeException e) {
            // no driver information
        }
        int nodes = 0;
        try (Stream<Path> dev = Files.list(Path.of("/dev"))) {
            nodes = (int) dev.filter(p -> p.getFileName().toString().matches("nvidia\\d+"))
                    .count();
        } catch (IOException | RuntimeException e) {
            // no /dev listing
        }
        List<String> smi = null;
        String smiError = null;
        try {
            Process p = new ProcessBuilder(
                            "nvidia-smi",
                            "--query-gpu=index,name,memory.total,memory.used,driver_version,compute_cap",
                            "--format=csv,noheader")
                    .redirectErrorStream(true)
                    .start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                smiError = "nvidia-smi did not answer within 30 s";
            } else {
                List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        .lines()
                        .map(String::strip)
                        .filter(l -> !l.isEmpty())
                        .toList();
                if (p.exitValue() == 0) {
                    smi = lines;
                } else {
                    smiError = "nvidia-smi failed (exit " + p.exitValue() + "): " + String.join(" | ", lines);
                }
            }
        } catch (IOException e) {
            smiError = "nvidia-smi not found";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            smiError = "interrupted";
        }
        return new GpuInfo(driver, nodes, smi, smiError);
    }
}
