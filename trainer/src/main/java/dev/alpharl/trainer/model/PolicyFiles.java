package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.nio.file.Path;
import java.util.Map;

/**
 * A trained policy on disk, as a run's checkpoints and {@code final/} hold it: every weight in Hugging Face layout
 * (fp32), or, for a policy with LoRA adapters, only the adapter in PEFT's layout (the frozen base is the run's
 * model.path and is not copied).
 */
public final class PolicyFiles {

    private PolicyFiles() {}

    /**
     * Writes {@code policy} as directory {@code dir}, atomically: HF layout with the tokenizer files of
     * {@code tokenizerDir}, or the PEFT adapter naming {@code baseModel} as its base_model_name_or_path.
     */
    public static void save(QwenModel policy, Path dir, Path tokenizerDir, String baseModel) {
        if (policy.adapters() != null) {
            PeftAdapter.save(policy.adapters(), dir, baseModel);
        } else {
            HfCheckpoint.save(policy, dir, SafetensorsDtype.F32, tokenizerDir);
        }
    }

    /** Sets {@code policy}'s trained arrays to what {@link #save} wrote in {@code dir}, exactly (fp32 files). */
    public static void restore(QwenModel policy, Path dir, NDManager parent) {
        if (policy.adapters() != null) {
            LoraAdapters live = policy.adapters();
            try (LoraAdapters saved = PeftAdapter.load(dir, live.spec(), policy.config(), live.seed(), parent)) {
                copy(saved.tensors(), live.tensors());
            }
        } else {
            try (QwenModel saved = HfCheckpoint.load(dir, parent)) {
                copy(saved.weights(), policy.weights());
            }
        }
    }

    private static void copy(Map<String, NDArray> from, Map<String, NDArray> into) {
        into.forEach((name, w) -> w.set(from.get(name).toByteBuffer()));
    }
}
