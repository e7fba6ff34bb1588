package dev.alpharl.rewards;

/** How many calls a reward function served and how many of them failed by exception or by timeout. */
public record RewardCounts(long calls, long errors, long timeouts) {
    public static final RewardCounts NONE = new RewardCounts(0, 0, 0);

    public RewardCounts plus(RewardCounts o) {
        return new RewardCounts(calls + o.calls, errors + o.errors, timeouts + o.timeouts);
    }

    /** Errors and timeouts together. */
    public long failures() {
        return errors + timeouts;
    }
}
