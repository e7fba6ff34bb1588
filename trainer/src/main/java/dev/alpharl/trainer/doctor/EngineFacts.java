package dev.alpharl.trainer.doctor;

import java.util.List;

/**
 * What starting DJL's PyTorch engine showed, gathered by {@link EngineProbe} (normally in a child JVM, so that a
 * native crash cannot take the doctor down). Every field is best effort: a probe that failed leaves its field null
 * and says why in the matching error field.
 *
 * @param started           whether the engine started
 * @param error             the exception chain when it did not (each cause's class and message, outermost first)
 * @param libtorchVersion   the version DJL reports for libtorch (PYTORCH_VERSION when set, else the bundled one)
 * @param libtorchDir       the directory DJL loaded libtorch from
 * @param jniPath           the JNI library (libdjl_torch.so) actually mapped into the process
 * @param flavour           the flavour, read from where the JNI library came from ("local build" when next to
 *                          libtorch)
 * @param libraries         the native libraries of interest mapped into the process, with their files
 * @param features          libtorch's features as DJL reports them (CUDA means torch::cuda::is_available())
 * @param cudart            libcudart as JNA loads it (DJL counts GPUs through it)
 * @param djlGpuCount       DJL's GPU count (through libcudart; 0 when it cannot be loaded)
 * @param engineGpuCount    the engine's GPU count, the number the trainer uses: 0 unless libtorch has CUDA
 * @param devices           each CUDA device libcudart reports
 * @param torchCuda         libtorch_cuda.so: where it was loaded from, or why not
 * @param intraOpThreads    libtorch's intra-op threads
 * @param interOpThreads    libtorch's inter-op threads
 * @param bf16              the bf16 matmul check on each device
 */
public record EngineFacts(
        boolean started,
        String error,
        String libtorchVersion,
        String libtorchDir,
        String jniPath,
        String flavour,
        List<LoadedLibrary> libraries,
        List<String> features,
        CudaRuntime cudart,
        Integer djlGpuCount,
        Integer engineGpuCount,
        List<CudaDevice> devices,
        TorchCuda torchCuda,
        Integer intraOpThreads,
        Integer interOpThreads,
        List<DeviceCheck> bf16) {

    /** A native library mapped into the process: its file name and path. */
    public record LoadedLibrary(String name, String path) {}

    /**
     * libcudart through JNA, as DJL's {@code CudaUtils} loads it (by the name "cudart").
     *
     * @param loadedFrom      the file mapped into the process, when it loaded
     * @param loadError       JNA's message when it did not load
     * @param countError      cudaGetDeviceCount's error code when not 0
     * @param countErrorText  cudaGetErrorString of that code
     * @param runtimeVersion  cudaRuntimeGetVersion (e.g. 12080 for 12.8)
     * @param driverVersion   cudaDriverGetVersion: the newest CUDA the driver supports, 0 without a driver
     */
    public record CudaRuntime(
            String loadedFrom,
            String loadError,
            Integer countError,
            String countErrorText,
            Integer runtimeVersion,
            Integer driverVersion) {}

    /**
     * libtorch_cuda.so of the libtorch in use.
     *
     * @param present    whether the libtorch directory has it (false: a CPU build)
     * @param loadedFrom the file mapped into the process, when loaded
     * @param loadError  when present but not loaded by DJL: the loader's error on loading it here, or null when it
     *                   loads (then DJL skipped it: a flavour without "cu")
     */
    public record TorchCuda(boolean present, String loadedFrom, String loadError) {}

    /** One CUDA device as libcudart reports it. */
    public record CudaDevice(int index, String computeCapability, Long totalMb, Long usedMb, String error) {}

    /**
     * One device's bf16 check: a 64×96 by 96×48 matmul through the trainer's ops library (inputs rounded to bf16)
     * against DJL's fp32 matmul.
     *
     * @param device       "cpu" or "cuda:N"
     * @param ok           whether it ran and agreed
     * @param maxRelError  max |bf16 − fp32| / max (|a|·|b|): below 2^-8 when only the inputs' rounding to bf16 differs
     * @param detail       the error when it failed
     */
    public record DeviceCheck(String device, boolean ok, Double maxRelError, String detail) {}

    /** Facts when the engine could not even be examined (the probe JVM died or timed out). */
    static EngineFacts notExamined(String error) {
        return new EngineFacts(
                false, error, null, null, null, null, List.of(), List.of(), null, null, null, List.of(), null, null,
                null, List.of());
    }
}
