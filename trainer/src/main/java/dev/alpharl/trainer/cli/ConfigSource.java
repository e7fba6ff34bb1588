package dev.alpharl.trainer.cli;

import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.UnmatchedArgsBinding;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Mixin for commands that take a config: {@code --config FILE|NAME} plus any number of {@code --section.key=value}
 * overrides. The overrides are the arguments picocli cannot match to an option of the command.
 */
@Command(
        footer = {
            "%nAny config key can be overridden: --section.key=VALUE (or --section.key VALUE).",
            "  nested: --algorithm.kl.coef=0.01   list: --optim.betas=0.9,0.95",
            "  list element: --rewards.0.weight=0.5   clear an optional key: --data.eval=null"
        })
public final class ConfigSource {
    @Option(
            names = "--config",
            required = true,
            paramLabel = "FILE|NAME",
            description = "YAML config: a path, or the name of a config in configs/ (e.g. tiny-grpo).")
    String config;

    private final List<String> overrides = new ArrayList<>();

    /** picocli does not carry a mixin's @Unmatched over to the command using it, so the binding is added here. */
    @Spec(Spec.Target.MIXEE)
    void collectUnmatchedArgumentsOf(CommandSpec command) {
        command.addUnmatchedArgsBinding(UnmatchedArgsBinding.forStringCollectionSupplier(new OverridesBinding()));
    }

    /** Hands picocli the list to fill; picocli clears it before each parse by setting null. */
    private final class OverridesBinding implements IGetter, ISetter {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) overrides;
        }

        @Override
        public <T> T set(T value) {
            overrides.clear();
            return null;
        }
    }

    /** The config with the overrides applied and validated; throws ConfigException on bad input. */
    public <R extends Record> R load(Class<R> type) {
        return ConfigLoader.load(type, config, overrides);
    }

    public TrainConfig loadTrainConfig() {
        return load(TrainConfig.class);
    }
}
