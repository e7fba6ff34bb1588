package dev.alpharl.trainer.config;

/**
 * The training loop.
 *
 * @param totalSteps      optimizer steps of the run
 * @param microBatchSize  completions per forward/backward pass (gradients are accumulated), when no token budget
 *                        is set
 * @param maxTokensPerMicroBatch a token budget instead: sequences sorted by length are packed into micro-batches of
 *                        at most this many padded tokens (rows × the longest row), so a micro-batch pads little
 *                        beyond its longest row (0: off, micro-batches of micro-batch-size consecutive rows)
 * @param evalEvery       evaluate every N steps, and at the end (0: only at the end)
 * @param saveEvery       save a checkpoint every N steps (0: only the final model)
 * @param keepCheckpoints keep the newest N checkpoints (0: keep all)
 * @param maxSkippedSteps stop the run with an error, after writing a checkpoint, once N consecutive steps applied no
 *                        optimizer step (every group had equal rewards, or every update was non-finite): such a run
 *                        would otherwise finish with unchanged weights (0: never stop)
 * @param activationCheckpointing keep only each decoder layer's input during the training forward and recompute the
 *                        layer in backward (less activation memory, one more forward of the trunk per backward)
 */
public record TrainerConfig(
        @Default("100") @Range(min = 1) int totalSteps,
        @Default("8") @Range(min = 1) int microBatchSize,
        @Default("0") @Range(min = 0) int evalEvery,
        @Default("0") @Range(min = 0) int saveEvery,
        @Default("2") @Range(min = 0) int keepCheckpoints,
        @Default("20") @Range(min = 0) int maxSkippedSteps,
        @Default("0") @Range(min = 0) int maxTokensPerMicroBatch,
        @Default("false") boolean activationCheckpointing) {}
