package dev.alpharl.trainer.rollout;

import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.model.QwenModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where completions come from: prompt groups in, completions out (token ids, per-token sampling log-probs, finish
 * reason). {@link Generator}, the batched KV-cache generator on the policy's own weights, is the local engine; an
 * engine that samples elsewhere (a server, another device) implements the same contract and is told of new weights
 * through {@link #weightsUpdated}.
 */
public interface RolloutEngine {

    /** One completion per prompt, in order; {@code rng} drives sampling (unused when greedy). */
    List<Completion> generate(List<long[]> prompts, SamplingParams params, SplittableRandom rng, NDManager scratch);

    /**
     * {@code samplesPerPrompt} completions for each prompt, prompt-major (the completions of prompt i are at
     * {@code i·G .. i·G + G − 1}). Engines that share a prompt's prefill across its samples override this.
     */
    default List<Completion> generateGroups(
            List<long[]> prompts,
            int samplesPerPrompt,
            SamplingParams params,
            SplittableRandom rng,
            NDManager scratch) {
        List<long[]> rows = new ArrayList<>(prompts.size() * samplesPerPrompt);
        for (long[] p : prompts) {
            for (int g = 0; g < samplesPerPrompt; g++) {
                rows.add(p);
            }
        }
        return generate(rows, params, rng, scratch);
    }

    /**
     * The policy's weights changed (an optimizer step, a resume, or AlphaRL's jump). The local engine reads the live
     * weights and needs nothing; a remote engine reloads them here.
     */
    default void weightsUpdated(QwenModel policy) {}

    /** The local engine on {@code model}'s live weights. */
    static RolloutEngine local(QwenModel model) {
        return new Generator(model);
    }

    /** The local engine decoding at most {@code maxNumSeqs} sequences at once (0: no cap). */
    static RolloutEngine local(QwenModel model, int maxNumSeqs) {
        return new Generator(model, maxNumSeqs);
    }
}
