package dev.alpharl.trainer.cli;

import dev.alpharl.trainer.app.TrainingRun;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.rl.RlTrainer;
import dev.alpharl.trainer.rl.TrainingContext;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train}: the RL loop. Resumes automatically from the newest checkpoint in the run directory. SIGINT and
 * SIGTERM finish the current step, write a checkpoint and exit; resuming continues from there.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Run RL training (GRPO, DAPO, RLOO, PPO, ...) from a config; resumes from the run's last checkpoint.")
final class TrainCommand implements Callable<Integer> {

    private static final Logger LOG = LogManager.getLogger(TrainCommand.class);

    @Mixin
    ConfigSource source;

    @Option(names = "--print-config", description = "Print the resolved config before training.")
    boolean printConfig;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainConfig config = source.loadTrainConfig();
        if (printConfig) {
            spec.commandLine().getOut().print(config.toYaml());
            spec.commandLine().getOut().flush();
        }
        train(config);
        return ExitCodes.OK;
    }

    /**
     * Trains (or resumes) the run of {@code config}. SIGINT and SIGTERM finish the current step, write a checkpoint
     * and return early; returns whether the run finished (its summary.json is written).
     */
    static boolean train(TrainConfig config) throws Exception {
        try (TrainingContext ctx = TrainingContext.open(config);
                RlTrainer trainer = TrainingRun.create(ctx)) {
            CountDownLatch done = new CountDownLatch(1);
            Thread onSignal = new Thread(
                    () -> {
                        LOG.warn("stop requested: finishing the current step and writing a checkpoint");
                        trainer.requestStop();
                        try {
                            done.await(10, TimeUnit.MINUTES);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "checkpoint-on-signal");
            Runtime.getRuntime().addShutdownHook(onSignal);
            try {
                trainer.run();
                return trainer.finished();
            } finally {
                done.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting because of the signal: the hook is running and now returns
                }
            }
        }
    }
}
