package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Prompt + completion sequences packed flush-left and right-padded (QWEN.md §7): row b is
 * {@code prompt_b ‖ completion_b ‖ pad…}, so the plain causal mask already hides the trailing pads and positions are
 * 0, 1, 2, … The completion-aligned views used by losses are [B, C] with C the longest completion (a slice keeps
 * its parent's C, so its views line up with the parent's rows); entry (b, j) is completion token j of row b,
 * predicted from position {@code |prompt_b| + j − 1}.
 */
public record SequenceBatch(List<long[]> prompts, List<long[]> completions, long padId, int completionWidth) {

    /** A batch whose completion width C is its longest completion. */
    public SequenceBatch(List<long[]> prompts, List<long[]> completions, long padId) {
        this(
                prompts,
                completions,
                padId,
                completions.stream().mapToInt(c -> c.length).max().orElse(0));
    }

    public SequenceBatch {
        prompts = List.copyOf(prompts);
        completions = List.copyOf(completions);
        if (prompts.size() != completions.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException("need as many completions as prompts (and at least one), got "
                    + prompts.size() + " prompts and " + completions.size() + " completions");
        }
        for (int b = 0; b < prompts.size(); b++) {
            if (prompts.get(b).length == 0) {
                throw new IllegalArgumentException("row " + b + " has an empty prompt");
            }
            if (completions.get(b).length > completionWidth) {
                throw new IllegalArgumentException("row " + b + " has " + completions.get(b).length
                        + " completion tokens, more than the batch's completion width " + completionWidth);
            }
        }
    }

    public int rows() {
        return prompts.size();
    }

    /** Length of the packed rows: the longest prompt + completion. */
    public int sequenceLength() {
        int t = 0;
        for (int b = 0; b < rows(); b++) {
            t = Math.max(t, prompts.get(b).length + completions.get(b).length);
        }
        return t;
    }

    /** C: the width of the completion-aligned views. */
    public int maxCompletion() {
        return completionWidth;
    }

    /** Completion tokens over all rows. */
    public int completionTokens() {
        return completionTokens(0, rows());
    }

    /** The packed ids [B, T]. */
    public NDArray ids(NDManager m) {
        int t = sequenceLength();
        long[] flat = new long[rows() * t];
        java.util.Arrays.fill(flat, padId);
        for (int b = 0; b < rows(); b++) {
            long[] p = prompts.get(b), c = completions.get(b);
            System.arraycopy(p, 0, flat, b * t, p.length);
            System.arraycopy(c, 0, flat, b * t + p.length, c.length);
        }
        return m.create(flat, new Shape(rows(), t));
    }

    /** Completion mask [B, C]: 1 for real completion tokens (float32). */
    public NDArray completionMask(NDManager m) {
        int c = maxCompletion();
        float[] mask = new float[rows() * c];
        for (int b = 0; b < rows(); b++) {
            java.util.Arrays.fill(mask, b * c, b * c + completions.get(b).length, 1f);
        }
        return m.create(mask, new Shape(rows(), c));
    }

    /** A [B, C] float32 array from per-row completion-aligned values (e.g. rollout log-probs), zero-padded. */
    public NDArray completionAligned(List<float[]> perRow, NDManager m) {
        int c = maxCompletion();
        float[] flat = new float[rows() * c];
        for (int b = 0; b < rows(); b++) {
            float[] v = perRow.get(b);
            System.arraycopy(v, 0, flat, b * c, Math.min(v.length, c));
        }
        return m.create(flat, new Shape(rows(), c));
    }

    /**
     * Flat indices into the packed [B·T] positions of the positions that predict the completion tokens of rows
     * [from, to), row by row: position |prompt_b| + j − 1 predicts completion token j.
     */
    public long[] predictorPositions(int from, int to) {
        int t = sequenceLength();
        long[] index = new long[completionTokens(from, to)];
        int k = 0;
        for (int b = from; b < to; b++) {
            int p = prompts.get(b).length;
            for (int j = 0; j < completions.get(b).length; j++) {
                index[k++] = (long) b * t + p + j - 1;
            }
        }
        return index;
    }

    /** Completion tokens of rows [from, to), row by row. */
    public long[] completionIds(int from, int to) {
        long[] ids = new long[completionTokens(from, to)];
        int k = 0;
        for (int b = from; b < to; b++) {
            long[] c = completions.get(b);
            System.arraycopy(c, 0, ids, k, c.length);
            k += c.length;
        }
        return ids;
    }

    /** Completion tokens over rows [from, to). */
    public int completionTokens(int from, int to) {
        int n = 0;
        for (int b = from; b < to; b++) {
            n += completions.get(b).length;
        }
        return n;
    }

    /**
     * Lays per-token values [N] of rows [from, to) (in {@link #predictorPositions} order) out as [to − from, C],
     * zero after each completion's end. Differentiable (a gather).
     */
    public NDArray alignToCompletions(NDArray perToken, int from, int to, NDManager m) {
        int c = maxCompletion();
        int tokens = completionTokens(from, to);
        long[] layout = new long[(to - from) * c];
        int k = 0;
        for (int b = from; b < to; b++) {
            int len = completions.get(b).length;
            for (int j = 0; j < c; j++) {
                layout[(b - from) * c + j] = j < len ? k++ : tokens;
            }
        }
        NDArray zero = m.zeros(new Shape(1), perToken.getDataType());
        return perToken.concat(zero, 0).get(m.create(layout)).reshape(to - from, c);
    }

    /** The given rows, in that order, as a batch of their own (the completion width stays the parent's). */
    public SequenceBatch select(int[] rows) {
        List<long[]> p = new java.util.ArrayList<>(rows.length), c = new java.util.ArrayList<>(rows.length);
        for (int r : rows) {
            p.add(prompts.get(r));
            c.add(completions.get(r));
        }
        return new SequenceBatch(p, c, padId, completionWidth);
    }

    /** The rows [from, to) as a batch of their own. */
    public SequenceBatch slice(int from, int to) {
        return new SequenceBatch(prompts.subList(from, to), completions.subList(from, to), padId, completionWidth);
    }
}
