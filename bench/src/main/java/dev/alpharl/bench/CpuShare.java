package dev.alpharl.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much of the machine's CPU went elsewhere while a measurement ran: time spent by other processes plus time
 * the hypervisor stole, as a share of all cores' time, from Linux's /proc/stat and /proc/self/stat. Benchmark
 * figures taken while this is more than a few percent are not reliable (on 2 cores, a second libtorch process slows
 * both down about tenfold). The time of this process's waited-for children (the reference) counts as its own.
 */
public final class CpuShare {

    /** Cumulative clock ticks at one moment: all cores' busy + stolen time, all cores' time, this process's time. */
    public record Sample(long busyOrStolen, long total, long own) {}

    private CpuShare() {}

    /** Now, or null where /proc is unavailable. */
    public static Sample sample() {
        try {
            String stat = Files.readString(Path.of("/proc/stat"), StandardCharsets.US_ASCII);
            long[] machine = machineTicks(stat.substring(0, stat.indexOf('\n')));
            long own = ownTicks(Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII));
            return new Sample(machine[0], machine[1], own);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The share of the machine's CPU time between two samples not spent by this process (NaN without samples). */
    public static double othersShare(Sample from, Sample to) {
        if (from == null || to == null || to.total() <= from.total()) {
            return Double.NaN;
        }
        long others = (to.busyOrStolen() - from.busyOrStolen()) - (to.own() - from.own());
        return Math.max(0, others) / (double) (to.total() - from.total());
    }

    /**
     * {busy + steal, total} from the aggregate line "cpu user nice system idle iowait irq softirq steal ..." of
     * /proc/stat (guest time is already inside user).
     */
    static long[] machineTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 9) {
            throw new IllegalArgumentException("not the aggregate cpu line of /proc/stat: " + cpuLine);
        }
        long user = Long.parseLong(f[1]), nice = Long.parseLong(f[2]), system = Long.parseLong(f[3]);
        long idle = Long.parseLong(f[4]), iowait = Long.parseLong(f[5]), irq = Long.parseLong(f[6]);
        long softirq = Long.parseLong(f[7]), steal = Long.parseLong(f[8]);
        long busy = user + nice + system + irq + softirq + steal;
        return new long[] {busy, busy + idle + iowait};
    }

    /** utime + stime + cutime + cstime of a /proc/PID/stat line (fields 14–17; the name in field 2 may hold spaces). */
    static long ownTicks(String selfStat) {
        String[] f = selfStat.substring(selfStat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state), so field n is f[n - 3]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }
}
