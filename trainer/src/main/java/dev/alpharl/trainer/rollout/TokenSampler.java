package dev.alpharl.trainer.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.trainer.tensor.TorchOps;
import java.util.SplittableRandom;

/**
 * Picks one token per row from fp32 logits [B, V]. Temperature scales the logits; top-k keeps the k largest;
 * top-p keeps the smallest prefix of the sorted distribution whose mass before each kept token is below p (so the
 * top token always stays); the draw inverts the CDF of the kept probabilities at a uniform from the caller's
 * generator, so a seeded generator (whose state can be saved) makes sampling reproducible.
 */
public final class TokenSampler {

    private TokenSampler() {}

    /** The chosen ids [B] (int64) and, for each, log softmax(logits)[id] at temperature 1. */
    public static NDList sample(NDArray logits, SamplingParams p, SplittableRandom rng) {
        float[] u = new float[(int) logits.getShape().get(0)];
        if (!p.greedy()) {
            for (int i = 0; i < u.length; i++) {
                u[i] = (float) rng.nextDouble();
            }
        }
        return sample(logits, p, u);
    }

    /**
     * As {@link #sample(NDArray, SamplingParams, SplittableRandom)} with row i drawn at the uniform {@code u[i]}
     * (unused when greedy): a caller with one generator per row keeps each row's draws independent of the others.
     */
    public static NDList sample(NDArray logits, SamplingParams p, float[] u) {
        NDArray chosen;
        if (p.greedy()) {
            chosen = logits.argMax(-1);
        } else {
            long b = logits.getShape().get(0), v = logits.getShape().get(1);
            NDArray scaled = logits.div(Constant.like(logits, p.temperature()));
            NDArray uniforms = logits.getManager().create(u);
            TorchOps ops = TorchOps.of(logits);
            int k = p.topK() > 0
                    ? (int) Math.min(p.topK(), v)
                    : p.topP() < 1 ? (int) Math.min(SamplingParams.TOP_P_CANDIDATES, v) : 0;
            if (k == 0) {
                chosen = ops.sampleInverseCdf(scaled.softmax(-1), uniforms);
            } else {
                NDList top = scaled.topK(k, -1, true, true);
                NDArray probs = top.get(0).softmax(-1);
                if (p.topP() < 1) {
                    NDArray massBefore = probs.cumSum(-1).sub(probs);
                    probs = probs.mul(massBefore.lt((float) p.topP()));
                }
                NDArray slot = ops.sampleInverseCdf(probs, uniforms);
                chosen = top.get(1).gather(slot.expandDims(-1), -1).reshape(new Shape(b));
            }
        }
        NDArray logprob =
                logits.logSoftmax(-1).gather(chosen.expandDims(-1), -1).squeeze(-1);
        return new NDList(chosen, logprob);
    }
}
