/**
 * Own safetensors reader and writer (DJL's codec is limited to 2 GiB and aborts the JVM on BF16, DJL.md §12).
 *
 * <ul>
 *   <li>{@link dev.alpharl.trainer.tensor.safetensors.TensorSource#open} — a file, an index or a checkpoint
 *       directory, read lazily: header index first, tensors on demand into a given NDManager or as float[].</li>
 *   <li>{@link dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter} — deterministic, atomic files; optional HF
 *       sharding with {@code model.safetensors.index.json}.</li>
 *   <li>{@link dev.alpharl.trainer.tensor.safetensors.FloatFormats} — BF16/F16 bit conversions.</li>
 *   <li>{@link dev.alpharl.trainer.tensor.safetensors.SafetensorsException} — every format problem, naming file and
 *       tensor.</li>
 * </ul>
 */
package dev.alpharl.trainer.tensor.safetensors;
