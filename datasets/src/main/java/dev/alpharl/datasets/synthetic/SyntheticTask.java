package dev.alpharl.datasets.synthetic;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.datasets.SplitMix64;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A generator of verifiable problems with a known answer. */
public interface SyntheticTask {

    /** Draws after this many consecutive draws that add nothing new, generation gives up. */
    int MAX_FRUITLESS_DRAWS = 20_000;

    String name();

    /** Draws one problem from {@code rng}. */
    Problem draw(SplitMix64 rng);

    /**
     * {@code size} distinct problems of {@code split}, drawn in order from {@code SplitMix64.derive(seed)}; ids are
     * {@code <task>-<split>-<index>}. Deterministic in (task options, split, seed, size, heldOutFraction).
     *
     * @throws DatasetException when the problem space is too small to give {@code size} distinct problems
     */
    default List<PromptSample> samples(Split split, long seed, int size, double heldOutFraction) {
        if (size < 0) {
            throw new DatasetException(name() + ": size must be non-negative, got " + size);
        }
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
            throw new DatasetException(name() + ": held-out fraction must be in [0, 1), got " + heldOutFraction);
        }
        SplitMix64 rng = SplitMix64.derive(seed);
        Set<String> seen = new HashSet<>();
        List<PromptSample> out = new ArrayList<>(size);
        int fruitless = 0;
        while (out.size() < size) {
            Problem p = draw(rng);
            if (Split.of(p.canonical(), heldOutFraction) == split && seen.add(p.canonical())) {
                out.add(new PromptSample(
                        name() + "-" + split.label() + "-" + out.size(), p.prompt(), p.answer(), p.fields()));
                fruitless = 0;
            } else if (++fruitless == MAX_FRUITLESS_DRAWS) {
                throw new DatasetException(name() + ": found only " + out.size() + " distinct " + split.label()
                        + " problems of the " + size + " requested (" + MAX_FRUITLESS_DRAWS
                        + " draws in a row gave nothing new); the problem space is too small: make the task harder"
                        + " or ask for fewer samples");
            }
        }
        return out;
    }
}
