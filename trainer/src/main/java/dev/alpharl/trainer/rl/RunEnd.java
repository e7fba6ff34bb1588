package dev.alpharl.trainer.rl;

import java.util.Map;

/**
 * The end of a finished run.
 *
 * @param step              the last step
 * @param stoppedByCallback whether a callback stopped the run (AlphaRL's jump with after-jump stop)
 * @param summary           the entries of {@code summary.json}; callbacks add theirs, later ones may replace
 */
public record RunEnd(long step, boolean stoppedByCallback, Map<String, Object> summary) {}
