package dev.alpharl.trainer.config;

/**
 * The training loop.
 *
 * @param totalSteps      optimizer steps of the run
 * @param microBatchSize  completions per forward/backward pass (gradients are accumulated)
 * @param evalEvery       evaluate every N steps, and at the end (0: only at the end)
 * @param saveEvery       save a checkpoint every N steps (0: only the final model)
 * @param keepCheckpoints keep the newest N checkpoints (0: keep all)
 * @param maxSkippedSteps stop the run with an error, after writing a checkpoint, once N consecutive steps applied no
 *                        optimizer step (every group had equal rewards, or every update was non-finite): such a run
 *                        would otherwise finish with unchanged weights (0: never stop)
 */
public record TrainerConfig(
        @Default("100") @Range(min = 1) int totalSteps,
        @Default("8") @Range(min = 1) int microBatchSize,
        @Default("0") @Range(min = 0) int evalEvery,
        @Default("0") @Range(min = 0) int saveEvery,
        @Default("2") @Range(min = 0) int keepCheckpoints,
        @Default("20") @Range(min = 0) int maxSkippedSteps) {}
