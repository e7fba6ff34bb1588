package dev.alpharl.trainer.doctor;

import java.util.List;

/**
 * Everything {@code trainer.jar doctor} found, in the order it prints it; {@code doctor --json} writes this record.
 *
 * @param ok        true when nothing is wrong enough to stop a GPU from being used (no ERROR finding)
 * @param java      the JVM
 * @param djl       DJL and what trainer.jar carries for it
 * @param settings  the environment variables and -D properties DJL and libtorch read, those that are set
 * @param libtorch  where DJL takes libtorch and its JNI library from, predicted from files and settings
 * @param engine    what starting the engine showed (null with --no-engine)
 * @param engineLog the engine check's warnings and the lines libtorch printed
 * @param gpu       the NVIDIA driver and GPUs seen without CUDA (driver file, device nodes, nvidia-smi)
 * @param installs  libtorch installs found on the machine, each with the environment to use it
 * @param findings  what is wrong (ERROR), worth knowing (WARN, INFO) or fine (OK), each with its fix
 */
public record DoctorReport(
        boolean ok,
        JavaInfo java,
        DjlInfo djl,
        List<Setting> settings,
        LibtorchChoice libtorch,
        EngineFacts engine,
        List<String> engineLog,
        GpuInfo gpu,
        List<Advice> installs,
        List<Finding> findings) {

    /** The JVM running the doctor (the trainer runs on the same one). */
    public record JavaInfo(String version, String vendor, String home, String os, int cpus, long maxHeapMb) {}

    /**
     * DJL and the PyTorch pieces trainer.jar carries.
     *
     * @param version          DJL's version
     * @param jniVersion       the JNI library version in trainer.jar (pytorch-jni: libtorch version - DJL version)
     * @param jniFlavours      the flavours trainer.jar has a JNI library for on this platform
     * @param bundledLibtorch  the libtorch trainer.jar carries (pytorch-native-cpu), e.g. "2.7.1-20250812"
     * @param bundledFlavour   its flavour ("cpu")
     * @param classifier       DJL's platform name, e.g. "linux-x86_64"
     * @param cacheDir         DJL's PyTorch cache directory (extracted libraries, downloaded JNI libraries)
     * @param offline          whether downloads are refused (the trainer's default)
     * @param error            what could not be read, if anything
     */
    public record DjlInfo(
            String version,
            String jniVersion,
            List<String> jniFlavours,
            String bundledLibtorch,
            String bundledFlavour,
            String classifier,
            String cacheDir,
            boolean offline,
            String error) {

        /** The libtorch version trainer.jar's JNI library is built for ("2.7.1"), or null. */
        public String jniTorchVersion() {
            return jniVersion == null ? null : jniVersion.replaceFirst("-.*", "");
        }
    }

    /** A setting that is set: its name, value and where it comes from ("env" or "-D"). */
    public record Setting(String name, String value, String from) {}

    /**
     * Where DJL 0.36 will take libtorch and the JNI library from (its LibUtils rules, read from files and settings).
     *
     * @param entries  each PYTORCH_LIBRARY_PATH entry and what is there
     * @param override whether an entry holds libtorch.so (else DJL uses the bundled libtorch, silently)
     * @param dir      the libtorch directory DJL will use (the bundled one once extracted), or null
     * @param torch    that libtorch, read from its files (null when not on disk yet)
     * @param flavour  the flavour DJL will use, or null when it is derived from the GPU count at start
     * @param jni      where the JNI library will come from
     * @param jniOk    false when that is known to fail (missing from trainer.jar, a download while offline)
     */
    public record LibtorchChoice(
            List<String> entries,
            boolean override,
            String dir,
            TorchInstall torch,
            String flavour,
            String jni,
            boolean jniOk) {}

    /**
     * The NVIDIA side, seen without CUDA.
     *
     * @param driver      /proc/driver/nvidia/version's first line, or null without a loaded driver
     * @param deviceNodes how many /dev/nvidiaN nodes exist
     * @param smi         nvidia-smi's lines (index, name, memory, driver), or null
     * @param smiError    why nvidia-smi gave nothing
     */
    public record GpuInfo(String driver, int deviceNodes, List<String> smi, String smiError) {

        /** Whether this machine shows any sign of an NVIDIA GPU. */
        public boolean present() {
            return driver != null || deviceNodes > 0 || (smi != null && !smi.isEmpty());
        }
    }

    /**
     * A libtorch install and how to run the trainer with it.
     *
     * @param torch   the install
     * @param verdict what it is good for, in one sentence
     * @param steps   the commands: a JNI build when one is needed, then the environment to export
     */
    public record Advice(TorchInstall torch, String verdict, List<String> steps) {}

    /** One finding; {@code fix} lists what to do (may be empty). */
    public record Finding(Level level, String message, List<String> fix) {}

    /** How much a finding matters. */
    public enum Level {
        ERROR,
        WARN,
        INFO,
        OK
    }
}
