package dev.alpharl.trainer.rl;

/**
 * The start of a run.
 *
 * @param step    0 for a fresh run, else the step of the checkpoint it resumed from
 * @param resumed whether the run resumed from a checkpoint
 * @param loop    the loop
 */
public record RunStart(long step, boolean resumed, TrainingLoop loop) {}
