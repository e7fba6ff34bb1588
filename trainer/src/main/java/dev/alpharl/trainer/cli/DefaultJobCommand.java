package dev.alpharl.trainer.cli;

import dev.alpharl.trainer.config.ConfigException;
import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.report.CompareReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code default} (also what {@code java -jar trainer.jar} runs without arguments): a full run of the config with
 * AlphaRL off, the same run with the config's alpharl block (same seed), and the comparison of the two, under
 * {@code run.output-dir/run.name/} as {@code full/}, {@code alpharl/} and {@code compare/}.
 */
@Command(
        name = "default",
        mixinStandardHelpOptions = true,
        description = {
            "The main job (what trainer.jar runs without arguments): a full GRPO run and an AlphaRL run "
                    + "of the same config and seed, then their comparison (table on the console, report.md/html and "
                    + "charts). The bundled config 'default' trains the 3M-parameter reasoning base shipped inside "
                    + "trainer.jar on column addition with a written chain, offline, in under 10 minutes on 2 CPU "
                    + "cores; 'tiny-default' is the earlier tiny-model job.",
            "Writes RUN/full, RUN/alpharl and RUN/compare, RUN = run.output-dir/run.name (runs/default). A run "
                    + "that finished with the same config is reused; one that stopped part-way is resumed."
        },
        footer = {
            "%nAny config key can be overridden: --section.key=VALUE; overrides apply to both runs, except "
                    + "that the full run has alpharl.window = 0.",
            "  e.g. java -jar trainer.jar --trainer.total-steps=100 --alpharl.window=12"
        })
final class DefaultJobCommand implements Callable<Integer> {

    private static final Logger LOG = LogManager.getLogger(DefaultJobCommand.class);
    static final String FULL = "full";
    static final String ACCELERATED = "alpharl";
    static final String COMPARE = "compare";

    @Option(
            names = "--config",
            defaultValue = "default",
            paramLabel = "FILE|NAME",
            description =
                    "Config of both runs; its alpharl block is the accelerated run's " + "(default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--fresh", description = "Delete the job's earlier runs and train both again.")
    boolean fresh;

    @Unmatched
    List<String> overrides = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainConfig asGiven = ConfigLoader.load(TrainConfig.class, config, overrides);
        if (!asGiven.alpharl().enabled()) {
            throw new ConfigException("alpharl.window: the default job's accelerated run needs alpharl.window > 0, "
                    + "got 0 (set it in " + config + " or with --alpharl.window=N)");
        }
        Path root = OutputDirectories.requireWritable(asGiven.run().runDir(), "run.output-dir");
        TrainConfig full = runConfig(root, FULL, "--alpharl.window=0");
        TrainConfig accelerated = runConfig(root, ACCELERATED);
        if (fresh) {
            LOG.info("--fresh: deleting earlier runs under {}", root);
            for (String dir : List.of(FULL, ACCELERATED, COMPARE)) {
                AtomicDirectory.deleteRecursively(root.resolve(dir));
            }
        }
        LOG.info(
                "default job: full {} run of {} steps, then AlphaRL observing {} steps (same seed {}), then the "
                        + "comparison; output under {}",
                full.algorithm().name(),
                full.trainer().totalSteps(),
                accelerated.alpharl().window(),
                full.run().seed(),
                root);
        if (!trainOrReuse("[1/2] full run", full) || !trainOrReuse("[2/2] AlphaRL run", accelerated)) {
            LOG.info("default job stopped; run the same command again to resume it");
            return ExitCodes.OK;
        }
        CompareCommand.print(
                CompareReport.write(root.resolve(ACCELERATED), root.resolve(FULL), root.resolve(COMPARE)),
                spec.commandLine().getOut(),
                spec.commandLine().getErr());
        return ExitCodes.OK;
    }

    /** The job's config with the user's overrides, placed at {@code root/name}, plus {@code extra} overrides. */
    private TrainConfig runConfig(Path root, String name, String... extra) {
        List<String> all = new ArrayList<>(overrides);
        all.add("--run.output-dir=" + root);
        all.add("--run.name=" + name);
        all.addAll(List.of(extra));
        return ConfigLoader.load(TrainConfig.class, config, all);
    }

    /** Trains the run unless it finished earlier with the same config; returns whether it is finished now. */
    private static boolean trainOrReuse(String label, TrainConfig run) throws Exception {
        Path dir = run.run().runDir();
        PreviousRun previous = PreviousRun.of(dir, run.toYaml());
        switch (previous.action()) {
            case REUSE -> {
                LOG.info("{}: reusing {}: {}; --fresh retrains", label, dir, previous.reason());
                return true;
            }
            case RESTART -> {
                LOG.info("{}: training {} again: {}", label, dir, previous.reason());
                AtomicDirectory.deleteRecursively(dir);
            }
            case RESUME, START -> LOG.info("{}: {}: {}", label, dir, previous.reason());
        }
        return TrainCommand.train(run);
    }
}
