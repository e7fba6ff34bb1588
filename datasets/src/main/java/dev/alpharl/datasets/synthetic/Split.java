package dev.alpharl.datasets.synthetic;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.SplitMix64;

/**
 * Train or held-out. A problem's split depends only on its canonical form and the held-out fraction, never on the
 * generation seed, so a held-out set generated with any seed is disjoint from a train set generated with any seed.
 */
public enum Split {
    TRAIN("train"),
    HELD_OUT("held-out");

    private final String label;

    Split(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Split parse(String label) {
        for (Split s : values()) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        throw new DatasetException("unknown split '" + label + "': expected train or held-out");
    }

    /** HELD_OUT when the stable hash of {@code canonical}, read as a uniform number in [0, 1), is below the fraction. */
    public static Split of(String canonical, double heldOutFraction) {
        double u = (SplitMix64.hash(canonical) >>> 11) * 0x1.0p-53;
        return u < heldOutFraction ? HELD_OUT : TRAIN;
    }
}
