package dev.alpharl.bench;

import dev.alpharl.trainer.cli.ExitCodes;
import dev.alpharl.trainer.io.UserInputException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code model}: generation and scoring throughput of a ~3M-parameter Qwen3-shaped model ({@link ModelBench}). */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Generation tokens/s at batch 1 and 64 and one log-prob scoring forward+backward of a "
                + "~3M-parameter Qwen3-shaped model.")
final class ModelCommand implements Callable<Integer> {

    @Parameters(
            arity = "0..1",
            paramLabel = "ITERATIONS",
            defaultValue = "3",
            description = "Timed runs per case, the best is reported (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Override
    public Integer call() {
        if (iterations < 1) {
            throw new UserInputException("model: ITERATIONS must be at least 1, got " + iterations);
        }
        ModelBench.run(iterations);
        return ExitCodes.OK;
    }
}
