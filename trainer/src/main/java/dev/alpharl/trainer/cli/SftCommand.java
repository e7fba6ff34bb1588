package dev.alpharl.trainer.cli;

import dev.alpharl.trainer.rl.SftTrainer;
import dev.alpharl.trainer.rl.TrainingContext;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code sft}: supervised warm start on (prompt, gold answer) pairs; writes {@code <run dir>/final/}. */
@Command(
        name = "sft",
        mixinStandardHelpOptions = true,
        description =
                "Supervised fine-tuning on (prompt, answer) pairs (makes small base models); writes <run>/final/.")
final class SftCommand implements Callable<Integer> {

    @Mixin
    ConfigSource source;

    @Override
    public Integer call() throws Exception {
        try (TrainingContext ctx = TrainingContext.open(source.loadTrainConfig())) {
            new SftTrainer(ctx).run();
        }
        return ExitCodes.OK;
    }
}
