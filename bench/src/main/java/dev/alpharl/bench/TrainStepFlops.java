package dev.alpharl.bench;

import dev.alpharl.trainer.model.QwenConfig;

/**
 * Floating-point operations of one training step (forward + backward) on B rows of P prompt and C completion tokens,
 * T = P + C, counting only matrix products (2 FLOPs per multiply-add), as model-FLOP-utilisation figures do:
 * <pre>
 *   linear    = 6 · L · N_layer · B · T,   N_layer = H·(n_q·d) + 2·H·(n_kv·d) + (n_q·d)·H + 3·H·F
 *   attention = 12 · L · n_q · d · B · T(T+1)/2
 *   head      = 6 · H · V · B · C
 * </pre>
 * Linear: q, k, v, o and the SwiGLU gate, up and down projections; forward 2 FLOPs per weight per token, backward
 * twice that (input and weight gradients). Attention: q·kᵀ and p·v, 2·d each per (query head, query, visible key),
 * over the causal half only (T(T+1)/2 visible pairs per sequence; an implementation that also multiplies the masked
 * half does more work than this counts), times 3 for forward + backward. Head: logits are computed only where a
 * completion token is predicted (B·C positions), as the log-prob scorer does. Not counted: norms, RoPE, softmax,
 * SiLU, the embedding gather and its scatter-add gradient, the loss, and the optimizer step (all O(tokens·H) or
 * O(parameters), small next to the products above).
 */
public record TrainStepFlops(double linear, double attention, double head) {

    public static TrainStepFlops of(QwenConfig c, int batch, int promptLen, int completionLen) {
        double h = c.hiddenSize(), q = (double) c.numHeads() * c.headDim(), kv = (double) c.numKvHeads() * c.headDim();
        double t = promptLen + completionLen;
        double perLayer = h * q + 2 * h * kv + q * h + 3 * h * c.intermediateSize();
        double linear = 6 * c.numLayers() * perLayer * batch * t;
        double attention = 12.0 * c.numLayers() * q * batch * t * (t + 1) / 2;
        double head = 6 * h * c.vocabSize() * (double) batch * completionLen;
        return new TrainStepFlops(linear, attention, head);
    }

    public double total() {
        return linear + attention + head;
    }
}
