package dev.alpharl.bench;

/**
 * The wall time of one RL step and of its parts: rollout (generation), reward and advantages, update (log-prob
 * forward, backward, clipping, optimizer step). {@code step} is the whole, so it also holds the glue between them.
 */
public record RlStepTimes(double rolloutSeconds, double rewardSeconds, double updateSeconds, double stepSeconds) {}
