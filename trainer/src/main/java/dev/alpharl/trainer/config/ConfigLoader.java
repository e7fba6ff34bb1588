package dev.alpharl.trainer.config;

import dev.alpharl.trainer.config.ConfigNode.Mapping;
import java.util.List;

/**
 * Loads a config record: YAML text → tree with origins → command-line overrides applied → typed, validated record.
 * Only syntax, types and ranges are checked here; whether paths exist is checked when a run starts.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Loads the config named by {@code spec} (see {@link ConfigLocator}) with the given override arguments. */
    public static <R extends Record> R load(Class<R> type, String spec, List<String> overrideArgs) {
        ConfigLocator.ConfigText config = ConfigLocator.inWorkingDirectory().locate(spec);
        return parse(type, config.text(), config.source(), overrideArgs);
    }

    /** Parses YAML {@code text}; {@code source} names it in error messages ("configs/tiny-grpo.yaml"). */
    public static <R extends Record> R parse(Class<R> type, String text, String source, List<String> overrideArgs) {
        Mapping root = YamlReader.read(text, source);
        Overrides.apply(Overrides.parse(overrideArgs), root);
        return RecordBinder.bind(type, root);
    }
}
