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
 *
 * <p>Packages: the reward functions and the registry live here; the subpackages hold the engines they use
 * ({@code math}: answer extraction, parsing and equivalence; {@code countdown}: the equation checker) and never
 * import this package, so there are no package cycles ({@code countdown} may use {@code math}, not the reverse).
 */
package dev.alpharl.rewards;
