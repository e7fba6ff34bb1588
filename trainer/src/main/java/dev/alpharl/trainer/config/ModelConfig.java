package dev.alpharl.trainer.config;

import java.nio.file.Path;

/**
 * @param path       directory of a Hugging Face checkpoint (config.json, *.safetensors, tokenizer files), or
 *                   {@code builtin:NAME} for a model shipped inside trainer.jar (e.g. builtin:tiny-qwen)
 * @param dtype      compute precision of the linear layers: float32, or bfloat16 (fp32 master weights, bf16 GEMMs;
 *                   for GPUs)
 * @param device     {@code auto} (CUDA when libtorch sees a device, else CPU), {@code cpu}, {@code cuda} or
 *                   {@code cuda:N} ({@code gpu}, {@code gpu:N}: aliases); see {@link DeviceSpec}
 * @param randomInit initialise the weights randomly (seeded by run.seed) from path's config.json instead of loading
 *                   them: how the project makes its tiny base models with {@code sft}
 * @param lora       LoRA adapters on the policy (r = 0: off, every weight is trained)
 * @param adapter    a PEFT adapter directory (adapter_config.json, adapter_model.safetensors) to continue training
 *                   from: its config gives the rank, alpha, targets and patterns, so model.lora must stay unset
 *                   (only model.lora.dropout may be given, overriding the file's lora_dropout)
 */
public record ModelConfig(
        @Required Path path,
        @Default("float32") DType dtype,
        @Default("auto") String device,
        @Default("false") boolean randomInit,
        LoraConfig lora,
        Path adapter) {

    public enum DType {
        FLOAT32,
        BFLOAT16,
        FLOAT16
    }

    public ModelConfig {
        try {
            DeviceSpec.parse(device);
        } catch (IllegalArgumentException e) {
            throw new InvalidValue("device", e.getMessage());
        }
        InvalidValue.check(
                dtype != DType.FLOAT16, "dtype", "float16 compute is not supported: use float32, or bfloat16 on a GPU");
        InvalidValue.check(
                adapter == null || !lora.describesAdapters(),
                "lora",
                "and model.adapter are both set: the adapter's adapter_config.json gives the rank, alpha, target "
                        + "modules and patterns; remove model.lora (model.lora.dropout alone may stay)");
        InvalidValue.check(adapter == null || !randomInit, "adapter", "cannot be combined with model.random-init");
    }

    /** Whether the policy is trained through LoRA adapters (new ones, or model.adapter's). */
    public boolean usesLora() {
        return lora.enabled() || adapter != null;
    }

    /** model.device parsed. */
    public DeviceSpec deviceSpec() {
        return DeviceSpec.parse(device);
    }
}
