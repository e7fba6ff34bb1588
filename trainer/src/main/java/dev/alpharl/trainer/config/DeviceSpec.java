package dev.alpharl.trainer.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of {@code model.device}: {@code auto} (the first CUDA device when libtorch sees one, else the CPU),
 * {@code cpu}, {@code cuda} or {@code cuda:N}; {@code gpu} and {@code gpu:N} are accepted as aliases of
 * {@code cuda} and {@code cuda:N}.
 *
 * @param kind  what was asked for
 * @param index the CUDA device index (0 for {@code cuda}; unused for auto and cpu)
 */
public record DeviceSpec(Kind kind, int index) {

    public enum Kind {
        AUTO,
        CPU,
        CUDA
    }

    /** The allowed forms, as error messages list them. */
    public static final String FORMS = "auto|cpu|cuda|cuda:N (gpu, gpu:N: aliases)";

    private static final Pattern FORM = Pattern.compile("(auto|cpu)|(?:cuda|gpu)(?::(\\d{1,4}))?");

    /** Parses {@code text}; throws IllegalArgumentException (message: what was expected) for anything else. */
    public static DeviceSpec parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be one of " + FORMS + ", got \"" + text + "\"");
        }
        if ("auto".equals(m.group(1))) {
            return new DeviceSpec(Kind.AUTO, 0);
        }
        if ("cpu".equals(m.group(1))) {
            return new DeviceSpec(Kind.CPU, 0);
        }
        return new DeviceSpec(Kind.CUDA, m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }

    /**
     * The CUDA device index to run on given how many CUDA devices libtorch sees, or -1 for the CPU. Asking for a
     * CUDA device that is not there is a ConfigException naming model.device.
     */
    public int cudaIndex(int visibleCudaDevices) {
        return switch (kind) {
            case AUTO -> visibleCudaDevices > 0 ? 0 : -1;
            case CPU -> -1;
            case CUDA -> {
                if (index >= visibleCudaDevices) {
                    throw new ConfigException("model.device: cuda:" + index + " requested but libtorch sees "
                            + visibleCudaDevices + " CUDA device(s)"
                            + (visibleCudaDevices == 0
                                    ? " (trainer.jar bundles the CPU libtorch; point PYTORCH_LIBRARY_PATH at a CUDA build, "
                                            + "see README \"Running on a real Qwen checkpoint\", or use model.device: cpu)"
                                    : ""));
                }
                yield index;
            }
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case CUDA -> "cuda:" + index;
        };
    }
}
