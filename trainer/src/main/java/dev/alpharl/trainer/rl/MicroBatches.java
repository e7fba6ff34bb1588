package dev.alpharl.trainer.rl;

import dev.alpharl.trainer.model.SequenceBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How one optimizer step's sequences are split into forward/backward passes. Without a token budget: consecutive
 * runs of {@code maxRows} rows. With one: rows sorted by length (prompt + completion, longest first) are packed
 * greedily into micro-batches of at most {@code maxTokens} padded tokens (rows × the first, longest row), so a
 * micro-batch pads little beyond its longest row; a row longer than the budget goes alone. The loss normaliser is
 * counted over the whole step either way (ALGORITHMS.md §3), so the split never changes the update.
 */
final class MicroBatches {

    private MicroBatches() {}

    /** The micro-batches of {@code batch}, each an array of its row indices. */
    static List<int[]> plan(SequenceBatch batch, int maxRows, int maxTokens) {
        int n = batch.rows();
        List<int[]> out = new ArrayList<>();
        if (maxTokens <= 0) {
            for (int from = 0; from < n; from += maxRows) {
                out.add(IntStream.range(from, Math.min(n, from + maxRows)).toArray());
            }
            return out;
        }
        int[] byLength = IntStream.range(0, n)
                .boxed()
                .sorted(Comparator.comparingInt((Integer r) -> -length(batch, r))
                        .thenComparingInt(r -> r))
                .mapToInt(Integer::intValue)
                .toArray();
        int start = 0;
        while (start < n) {
            int longest = length(batch, byLength[start]);
            int rows = Math.max(1, maxTokens / Math.max(1, longest));
            int end = Math.min(n, start + rows);
            int[] group = new int[end - start];
            System.arraycopy(byLength, start, group, 0, group.length);
            out.add(group);
            start = end;
        }
        return out;
    }

    private static int length(SequenceBatch batch, int row) {
        return batch.prompts().get(row).length + batch.completions().get(row).length;
    }
}
