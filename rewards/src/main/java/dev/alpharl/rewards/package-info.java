/**
 * Reward functions on generated text (plain Java, no DJL).
 *
 * <p>Entry points for the trainer: {@link dev.alpharl.rewards.Rewards#compose} builds the config's
 * {@code rewards: [{name, weight, options}]} list into one {@link dev.alpharl.rewards.RewardFunction};
 * {@link dev.alpharl.rewards.Rewards#create} builds one by name (the CLI's {@code rewards --reward NAME});
 * {@link dev.alpharl.rewards.Rewards#scoreRecord} scores one parsed JSONL record. Every function from the registry
 * runs under a {@link dev.alpharl.rewards.GuardedReward} (timeout, counted and logged failures); read
 * {@link dev.alpharl.rewards.RewardFunction#counts()} after each step and fail the run past a threshold.
 * The trainer puts the completion length in tokens into the sample fields as
 * {@link dev.alpharl.rewards.RewardFunction#COMPLETION_TOKENS} for the overlong shaping.
 */
package dev.alpharl.rewards;
