package dev.alpharl.trainer.config;

/**
 * Sampling of training completions.
 *
 * @param groupSize       completions per prompt (G)
 * @param promptsPerStep  prompts per optimizer step (the batch is prompts-per-step × group-size completions)
 * @param maxNewTokens    maximum completion length
 * @param temperature     sampling temperature (0: greedy)
 * @param topP            nucleus sampling mass (1: off)
 * @param topK            sample among the K most likely tokens (0: off)
 * @param evalTemperature sampling temperature for evaluation
 * @param evalN           completions per eval prompt (accuracy is mean@n)
 * @param maxNumSeqs      most sequences decoded at once (vLLM's max_num_seqs; 0: all of a step's at once); more wait
 *                        and take the places of finished ones (continuous batching); caps the KV cache's rows
 */
public record RolloutConfig(
        @Default("8") @Range(min = 1) int groupSize,
        @Default("32") @Range(min = 1) int promptsPerStep,
        @Default("512") @Range(min = 1) int maxNewTokens,
        @Default("1.0") @Range(min = 0) double temperature,
        @Default("1.0") @Range(min = 0, max = 1) double topP,
        @Default("0") @Range(min = 0) int topK,
        @Default("0.6") @Range(min = 0) double evalTemperature,
        @Default("4") @Range(min = 1) int evalN,
        @Default("0") @Range(min = 0) int maxNumSeqs) {}
