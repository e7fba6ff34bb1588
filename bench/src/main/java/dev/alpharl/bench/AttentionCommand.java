package dev.alpharl.bench;

import dev.alpharl.trainer.cli.ExitCodes;
import dev.alpharl.trainer.io.UserInputException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code attention}: fused SDPA against attention from DJL primitives ({@link AttentionBench}). */
@Command(
        name = "attention",
        mixinStandardHelpOptions = true,
        description = "Time fused causal attention (SDPA) against the same attention from DJL primitives, forward "
                + "and forward+backward.")
final class AttentionCommand implements Callable<Integer> {

    @Parameters(
            arity = "0..6",
            paramLabel = "B H_q H_kv T d iters",
            description = "All six or none (default: 8 14 2 512 64 10, Qwen2.5-0.5B's head layout).")
    List<Integer> shape = List.of();

    @Override
    public Integer call() {
        if (!shape.isEmpty() && shape.size() != 6) {
            throw new UserInputException("attention takes all six of B H_q H_kv T d iters or none, got " + shape);
        }
        if (shape.stream().anyMatch(x -> x < 1) || (!shape.isEmpty() && shape.get(1) % shape.get(2) != 0)) {
            throw new UserInputException(
                    "attention: every value must be positive and H_q a multiple of H_kv, got " + shape);
        }
        AttentionBench.run(
                shape.isEmpty()
                        ? AttentionBench.DEFAULTS
                        : shape.stream().mapToInt(Integer::intValue).toArray());
        return ExitCodes.OK;
    }
}
