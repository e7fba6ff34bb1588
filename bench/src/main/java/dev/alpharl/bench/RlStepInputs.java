package dev.alpharl.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The prompts both sides of {@code rl-step} run on and the completion length forced on each row (prompt-major: rows
 * i·G … i·G + G − 1 sample prompt i), with the step's token accounting, the same on both sides:
 * <pre>
 *   generated = Σ_r L_r          trained = B·P_len + Σ_r L_r          padded = B·(P_len + max_r L_r)
 * </pre>
 * (padded: the reference's update batch, every row padded to the longest completion).
 */
public record RlStepInputs(List<long[]> prompts, int groupSize, int[] lengths) {

    /** The pad id fed to finished rows and used to pad completions. */
    static final long PAD_ID = 0;

    public RlStepInputs {
        prompts = List.copyOf(prompts);
        lengths = lengths.clone();
        if (lengths.length != prompts.size() * groupSize) {
            throw new IllegalArgumentException(
                    "need one length per row (" + prompts.size() * groupSize + "), got " + lengths.length);
        }
        if (prompts.stream().map(p -> p.length).distinct().count() != 1) {
            throw new IllegalArgumentException("every prompt needs the same length");
        }
    }

    /** Random prompt ids and lengths spread over [1, max-new-tokens] ({@link CompletionLengths}), from the seed. */
    static RlStepInputs random(RlStepSettings s) {
        SplittableRandom r = new SplittableRandom(s.seed() ^ 0x7E57_0001L);
        List<long[]> prompts = new ArrayList<>();
        for (int i = 0; i < s.prompts(); i++) {
            prompts.add(r.longs(s.promptLen(), 0, s.model().vocabSize()).toArray());
        }
        return new RlStepInputs(
                prompts, s.groupSize(), CompletionLengths.spread(s.rows(), s.maxNewTokens(), r.nextLong()));
    }

    /** B = P·G. */
    int rows() {
        return lengths.length;
    }

    int promptLen() {
        return prompts.get(0).length;
    }

    /** Each row's prompt, prompt-major. */
    List<long[]> rowPrompts() {
        List<long[]> rows = new ArrayList<>(rows());
        for (long[] p : prompts) {
            for (int g = 0; g < groupSize; g++) {
                rows.add(p);
            }
        }
        return rows;
    }

    int longest() {
        return Arrays.stream(lengths).max().orElseThrow();
    }

    long generatedTokens() {
        return Arrays.stream(lengths).asLongStream().sum();
    }

    long trainedTokens() {
        return (long) rows() * promptLen() + generatedTokens();
    }

    long paddedTrainedTokens() {
        return (long) rows() * (promptLen() + longest());
    }

    /**
     * Writes what the reference replays to one safetensors file: {@code prompts} [P, P_len], {@code lengths} [B],
     * {@code group_size} and {@code pad_id} (0-d), {@code completions} [steps, B, max L] (the JVM's tokens of every
     * step, pad after each row's end) and {@code learning_rates} [steps] (F64, each step's).
     */
    void write(Path file, List<List<long[]>> completionsPerStep, double[] learningRates, NDManager parent)
            throws IOException {
        int steps = completionsPerStep.size(), width = longest();
        long[] flat = new long[steps * rows() * width];
        Arrays.fill(flat, PAD_ID);
        for (int s = 0; s < steps; s++) {
            for (int r = 0; r < rows(); r++) {
                long[] c = completionsPerStep.get(s).get(r);
                System.arraycopy(c, 0, flat, (s * rows() + r) * width, c.length);
            }
        }
        try (StepScope scope = StepScope.open(parent)) {
            NDManager m = scope.manager();
            new SafetensorsWriter()
                    .add(
                            "prompts",
                            m.create(
                                    prompts.stream()
                                            .flatMapToLong(Arrays::stream)
                                            .toArray(),
                                    new Shape(prompts.size(), promptLen())))
                    .add(
                            "lengths",
                            m.create(Arrays.stream(lengths).asLongStream().toArray()))
                    .add("group_size", m.create((long) groupSize))
                    .add("pad_id", m.create(PAD_ID))
                    .add("completions", m.create(flat, new Shape(steps, rows(), width)))
                    .add("learning_rates", m.create(learningRates))
                    .write(file);
        }
    }
}
