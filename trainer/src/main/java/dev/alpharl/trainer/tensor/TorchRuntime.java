package dev.alpharl.trainer.tensor;

import ai.djl.engine.Engine;

/**
 * Starts DJL's PyTorch engine the way this project always runs it: offline (a download attempt is an error, never
 * a hang), with PyTorch chosen explicitly (the tokenizers jar registers a second engine) and tracking opted out.
 * Settings given by the user on the command line or in the environment win.
 */
public final class TorchRuntime {

    private static volatile Engine engine;

    private TorchRuntime() {}

    /** Initialises the engine once and returns it; must run before any {@code JniUtils} call (DJL.md pitfall 16). */
    public static Engine init() {
        Engine e = engine;
        if (e == null) {
            synchronized (TorchRuntime.class) {
                if (engine == null) {
                    defaultProperty("ai.djl.offline", "DJL_OFFLINE", "true");
                    defaultProperty("ai.djl.default_engine", null, "PyTorch");
                    defaultProperty("OPT_OUT_TRACKING", "OPT_OUT_TRACKING", "true");
                    engine = Engine.getEngine("PyTorch");
                }
                e = engine;
            }
        }
        return e;
    }

    private static void defaultProperty(String property, String envName, String value) {
        boolean inEnv = envName != null && System.getenv(envName) != null;
        if (System.getProperty(property) == null && !inEnv) {
            System.setProperty(property, value);
        }
    }
}
