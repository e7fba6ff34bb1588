package dev.alpharl.trainer.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.alpharl.trainer.model.SequenceBatch;

/**
 * One step's training data, completion-aligned [B, C] (see {@link SequenceBatch}): mask, advantages, and the
 * log-probabilities the losses compare against. {@code oldLogp} is null when the step makes a single optimizer
 * update on fresh rollouts: then π_old = sg[π] exactly and the extra scoring pass is skipped. {@code refLogp} is
 * null without an in-loss KL; {@code oldValues} and {@code returns} are null without a critic.
 */
public record Experience(
        SequenceBatch batch,
        NDArray mask,
        NDArray advantages,
        NDArray oldLogp,
        NDArray refLogp,
        NDArray oldValues,
        NDArray returns) {

    /** Rows [from, to) of a [B, C] array (null stays null). */
    static NDArray rows(NDArray a, int from, int to) {
        return a == null ? null : a.get(new NDIndex("{}:{}", from, to));
    }

    /** The rows [from, to) as an experience of their own. */
    public Experience slice(int from, int to) {
        return new Experience(
                batch.slice(from, to),
                rows(mask, from, to),
                rows(advantages, from, to),
                rows(oldLogp, from, to),
                rows(refLogp, from, to),
                rows(oldValues, from, to),
                rows(returns, from, to));
    }

    /** The given rows, in that order, as an experience of their own, with its arrays on {@code m}. */
    public Experience select(int[] rowIndices, NDManager m) {
        long[] index = java.util.Arrays.stream(rowIndices).asLongStream().toArray();
        NDArray rowsArray = m.create(index);
        return new Experience(
                batch.select(rowIndices),
                gather(mask, rowsArray, m),
                gather(advantages, rowsArray, m),
                gather(oldLogp, rowsArray, m),
                gather(refLogp, rowsArray, m),
                gather(oldValues, rowsArray, m),
                gather(returns, rowsArray, m));
    }

    private static NDArray gather(NDArray a, NDArray rows, NDManager m) {
        if (a == null) {
            return null;
        }
        NDArray out = a.get(rows);
        out.attach(m);
        return out;
    }

    public int rows() {
        return batch.rows();
    }
}
