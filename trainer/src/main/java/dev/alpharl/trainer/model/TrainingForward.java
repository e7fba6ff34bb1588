package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The trunk forward of a training step, and the backward through its decoder layers: the caller back-propagates
 * its loss into {@link #hidden()} (inside a gradient collector), then calls {@link #backwardThroughLayers}.
 *
 * <p>Plain: the whole trunk is recorded; the caller's backward reaches every weight and the second call does nothing.
 *
 * <p>With activation checkpointing (docs/LORA.md §4): the layers run without recording, keeping only each layer's
 * input h_i; only the final norm is recorded, over a leaf holding h_L, so the caller's backward stops at ∂L/∂h_L.
 * {@link #backwardThroughLayers} then walks the layers last to first: it recomputes layer i from h_i (a leaf
 * requiring grad) with recording on and back-propagates the incoming gradient g_{i+1} through it, which adds the
 * layer's parameter gradients (libtorch accumulates into {@code .grad}, as every backward here does) and yields
 * g_i = ∂L/∂h_i for the layer below; finally g_0 goes through the embedding when it trains. Each layer's
 * activations live in a manager of their own, freed as soon as the layer is done, so at most one layer's
 * activations exist at a time. Same gradients as the plain path up to summation order; one extra forward of the
 * trunk per backward. Dropout masks are re-drawn identically (the layer reseeds from the pass seed).
 */
public final class TrainingForward {

    private final QwenModel model;
    private final NDArray ids;
    private final NDArray[] rope;
    private final long passSeed;
    /** Layer inputs h_0 … h_{L−1} (checkpointed passes only). */
    private final NDArray[] inputs;
    /** The leaf holding h_L (checkpointed passes only). */
    private final NDArray last;

    private final NDArray hidden;

    private TrainingForward(
            QwenModel model,
            NDArray ids,
            NDArray[] rope,
            long passSeed,
            NDArray[] inputs,
            NDArray last,
            NDArray hidden) {
        this.model = model;
        this.ids = ids;
        this.rope = rope;
        this.passSeed = passSeed;
        this.inputs = inputs;
        this.last = last;
        this.hidden = hidden;
    }

    static TrainingForward run(QwenModel model, NDArray ids, NDArray positions, long passSeed, boolean recompute) {
        int layers = model.config().numLayers();
        if (!recompute) {
            NDArray x = model.embed(ids);
            NDArray[] rope = model.rope(positions, x.getDataType());
            for (int i = 0; i < layers; i++) {
                x = model.layer(i, x, rope, null, null, 0, passSeed);
            }
            return new TrainingForward(model, ids, rope, passSeed, null, null, model.finalNorm(x));
        }
        NDManager m = ids.getManager();
        NDArray[] inputs = new NDArray[layers];
        NDArray[] rope;
        NDArray x;
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            x = model.embed(ids);
            rope = model.rope(positions, x.getDataType());
            for (int i = 0; i < layers; i++) {
                inputs[i] = x;
                try (NDManager layerScope = m.newSubManager()) {
                    x.tempAttach(layerScope); // the layer's activations land on layerScope; x returns to m
                    NDArray out = model.layer(i, x, rope, null, null, 0, passSeed);
                    out.attach(m);
                    x = out;
                }
            }
        } finally {
            JniUtils.setGradMode(gradMode);
        }
        x.setRequiresGradient(true); // made without recording: a leaf
        return new TrainingForward(model, ids, rope, passSeed, inputs, x, model.finalNorm(x));
    }

    /** Final hidden states [B, T, H] (after the last RMSNorm), recorded from h_L on. */
    public NDArray hidden() {
        return hidden;
    }

    /** Whether this pass recomputes its layers in backward. */
    public boolean recomputes() {
        return inputs != null;
    }

    /**
     * Continues the backward from h_L down through the layers (checkpointed passes; nothing to do otherwise). Call
     * after the caller's backward has reached {@link #hidden()}, inside the same gradient collector; temporaries
     * land on {@code m}.
     */
    public void backwardThroughLayers(NDManager m) {
        if (inputs == null || !last.hasGradient()) {
            return;
        }
        NDArray g = last.getGradient();
        g.attach(m);
        for (int i = inputs.length - 1; i >= 0; i--) {
            boolean needsInputGradient = i > 0 || model.embeddingTrainable();
            if (!needsInputGradient && !model.layerTrainable(i)) {
                return;
            }
            try (NDManager layerScope = m.newSubManager()) {
                NDArray x = inputs[i];
                x.attach(layerScope); // freed with this layer's recomputed activations
                if (needsInputGradient) {
                    x.setRequiresGradient(true);
                }
                NDArray out = model.layer(i, x, rope, null, null, 0, passSeed);
                JniUtils.backward((PtNDArray) out, (PtNDArray) g, false, false);
                if (needsInputGradient) {
                    g = x.getGradient();
                    g.attach(m);
                }
            }
        }
        if (model.embeddingTrainable()) {
            NDArray h0 = model.embed(ids);
            JniUtils.backward((PtNDArray) h0, (PtNDArray) g, false, false);
        }
    }
}
