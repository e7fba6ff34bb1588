package dev.alpharl.trainer.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Peak resident memory of each phase of a step, the per-phase memory trace. Linux keeps one high-water mark per
 * process (VmHWM) and lets it be reset (writing 5 to /proc/self/clear_refs); this reads the mark at every phase
 * boundary, credits the reading to every phase open at that moment (phases nest: reward inside rollout), and resets
 * it. A phase's peak is then the largest resident size reached while it ran, and the step's peak the largest of all.
 * Where the mark cannot be read or reset, nothing is reported.
 */
public final class PhasePeaks {

    private final LongSupplier peakBytes;
    private final BooleanSupplier resetPeak;
    private final List<String> open = new ArrayList<>();
    private final Map<String, Long> peaks = new LinkedHashMap<>();
    private long stepPeak = -1;
    private boolean supported = true;

    /**
     * @param peakBytes the high-water mark in bytes, or negative when unavailable
     * @param resetPeak resets the mark to the current resident size; false when it cannot
     */
    PhasePeaks(LongSupplier peakBytes, BooleanSupplier resetPeak) {
        this.peakBytes = peakBytes;
        this.resetPeak = resetPeak;
    }

    /** The process's own high-water mark. */
    public static PhasePeaks ofProcess() {
        return new PhasePeaks(ProcessMemory::peakResidentBytes, ProcessMemory::resetPeak);
    }

    public synchronized void enter(String phase) {
        fold();
        open.add(phase);
    }

    public synchronized void exit(String phase) {
        fold();
        open.remove(open.lastIndexOf(phase));
    }

    /**
     * Peak resident megabytes (10^6 bytes) per phase since the previous call, in order of first use, plus
     * {@code step} for the largest reading of all; empty where the mark is unavailable. Starts over.
     */
    public synchronized Map<String, Double> take() {
        fold();
        Map<String, Double> taken = new LinkedHashMap<>();
        if (stepPeak >= 0) {
            peaks.forEach((phase, bytes) -> taken.put(phase, bytes / 1e6));
            taken.put("step", stepPeak / 1e6);
        }
        peaks.clear();
        stepPeak = -1;
        return taken;
    }

    /** Credits the mark since the last reset to the open phases and the step, then resets it. */
    private void fold() {
        if (!supported) {
            return;
        }
        long bytes = peakBytes.getAsLong();
        if (bytes < 0 || !resetPeak.getAsBoolean()) {
            supported = false;
            peaks.clear();
            stepPeak = -1;
            return;
        }
        for (String phase : open) {
            peaks.merge(phase, bytes, Math::max);
        }
        stepPeak = Math.max(stepPeak, bytes);
    }
}
