package dev.alpharl.trainer.rl;

import dev.alpharl.trainer.model.SequenceBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How one optimizer step's sequences are split into forward/backward passes. Rows are first sorted by length (prompt
 * + completion, longest first; ties by index), so that rows of similar length share a micro-batch and none is padded
 * far beyond its longest row. Without a token budget the sorted rows are cut into runs of {@code maxRows}: the
 * largest micro-batch is as large as in a split of the unsorted rows, the padding much smaller when completion
 * lengths spread (a GRPO group holds short and long completions side by side). With a budget they are packed greedily
 * into micro-batches of at most {@code maxTokens} padded tokens (rows × the first, longest row); a row longer than the
 * budget goes alone. The loss normaliser is counted over the whole step either way (ALGORITHMS.md §3), so the split
 * never changes the update beyond rounding.
 */
final class MicroBatches {

    private MicroBatches() {}

    /** The micro-batches of {@code batch}, each an array of its row indices. */
    static List<int[]> plan(SequenceBatch batch, int maxRows, int maxTokens) {
        int n = batch.rows();
        int[] byLength = IntStream.range(0, n)
                .boxed()
                .sorted(Comparator.comparingInt((Integer r) -> -length(batch, r))
                        .thenComparingInt(r -> r))
                .mapToInt(Integer::intValue)
                .toArray();
        List<int[]> out = new ArrayList<>();
        int start = 0;
        while (start < n) {
            int rows = maxTokens > 0 ? Math.max(1, maxTokens / Math.max(1, length(batch, byLength[start]))) : maxRows;
            int end = Math.min(n, start + rows);
            out.add(Arrays.copyOfRange(byLength, start, end));
            start = end;
        }
        return out;
    }

    private static int length(SequenceBatch batch, int row) {
        return batch.prompts().get(row).length + batch.completions().get(row).length;
    }
}
