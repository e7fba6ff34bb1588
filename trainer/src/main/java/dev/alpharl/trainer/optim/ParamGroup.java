package dev.alpharl.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Trainable arrays (by stable name) that share a weight decay, as in PyTorch's optimizer parameter groups. */
public record ParamGroup(String name, Map<String, NDArray> params, double weightDecay) {

    public ParamGroup {
        params = new LinkedHashMap<>(params);
        if (weightDecay < 0) {
            throw new IllegalArgumentException("weight decay of group '" + name + "' must be >= 0, got " + weightDecay);
        }
    }

    /**
     * The usual split for transformers (Hugging Face Trainer, OpenRLHF): matrices get {@code weightDecay}; vectors
     * (norm weights, biases) get none.
     */
    public static List<ParamGroup> decayMatricesOnly(Map<String, NDArray> params, double weightDecay) {
        Map<String, NDArray> decay = new LinkedHashMap<>();
        Map<String, NDArray> noDecay = new LinkedHashMap<>();
        params.forEach((n, a) -> (a.getShape().dimension() >= 2 ? decay : noDecay).put(n, a));
        return List.of(new ParamGroup("decay", decay, weightDecay), new ParamGroup("no_decay", noDecay, 0.0));
    }
}
