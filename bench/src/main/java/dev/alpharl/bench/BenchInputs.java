package dev.alpharl.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.SequenceBatch;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The fixed token ids both implementations run on, drawn from the settings' seed: the train batch (prompt and
 * completion ids with a per-row advantage in [0.5, 1.5), positive so that the loss cannot cancel to ~0 and its
 * relative difference between the implementations stays meaningful), the rollout prompts, and a short check input
 * whose logits the reference must reproduce.
 */
public record BenchInputs(
        List<long[]> trainPrompts,
        List<long[]> trainCompletions,
        float[] advantages,
        List<long[]> rolloutPrompts,
        long[][] checkIds) {

    /** Rows and length of the logits check input. */
    private static final int CHECK_ROWS = 2;

    private static final int CHECK_LENGTH = 24;

    public static BenchInputs random(BenchSettings s) {
        SplittableRandom r = new SplittableRandom(s.seed() ^ 0x5EED_B3AC4L);
        int vocab = s.model().vocabSize();
        float[] advantages = new float[s.batch()];
        for (int i = 0; i < advantages.length; i++) {
            advantages[i] = (float) (0.5 + r.nextDouble());
        }
        long[][] check = new long[CHECK_ROWS][];
        for (int i = 0; i < CHECK_ROWS; i++) {
            check[i] = ids(r, CHECK_LENGTH, vocab);
        }
        return new BenchInputs(
                rows(r, s.batch(), s.promptLen(), vocab),
                rows(r, s.batch(), s.newTokens(), vocab),
                advantages,
                rows(r, s.batch(), s.promptLen(), vocab),
                check);
    }

    public SequenceBatch trainBatch() {
        return new SequenceBatch(trainPrompts, trainCompletions, 0);
    }

    /**
     * Writes everything the reference needs to one safetensors file: {@code train_ids} [B, T] (I64),
     * {@code train_prompt_len} and {@code rollout_new_tokens} (0-d I64), {@code train_advantages} [B] (F32),
     * {@code rollout_prompts} [B, P], {@code check_ids} [2, 24] and {@code check_logits} [2, 24, V] from
     * {@code model}.
     */
    public void write(Path file, QwenModel model, int newTokens, NDManager parent) throws IOException {
        try (StepScope scope = StepScope.open(parent)) {
            NDManager m = scope.manager();
            int rows = checkIds.length, length = checkIds[0].length;
            NDArray ids = m.create(flatten(List.of(checkIds)), new Shape(rows, length));
            NDArray positions =
                    m.arange(0, length, 1, DataType.INT64).reshape(1, length).repeat(0, rows);
            NDArray logits = model.logits(model.forward(ids, positions, null, null));
            new SafetensorsWriter()
                    .add("train_ids", trainBatch().ids(m))
                    .add("train_prompt_len", m.create((long) trainPrompts.get(0).length))
                    .add("train_advantages", m.create(advantages))
                    .add(
                            "rollout_prompts",
                            m.create(
                                    flatten(rolloutPrompts),
                                    new Shape(rolloutPrompts.size(), rolloutPrompts.get(0).length)))
                    .add("rollout_new_tokens", m.create((long) newTokens))
                    .add("check_ids", ids)
                    .add("check_logits", logits)
                    .write(file);
        }
    }

    private static List<long[]> rows(SplittableRandom r, int n, int length, int vocab) {
        List<long[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(ids(r, length, vocab));
        }
        return List.copyOf(out);
    }

    private static long[] ids(SplittableRandom r, int length, int vocab) {
        long[] ids = new long[length];
        for (int j = 0; j < length; j++) {
            ids[j] = r.nextInt(vocab);
        }
        return ids;
    }

    private static long[] flatten(List<long[]> rows) {
        return rows.stream().flatMapToLong(java.util.Arrays::stream).toArray();
    }
}
