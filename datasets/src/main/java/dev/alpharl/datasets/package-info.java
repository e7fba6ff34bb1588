/**
 * Prompt sources for RL fine-tuning. The trainer's use, in order:
 * <ol>
 *   <li>{@link dev.alpharl.datasets.source.DatasetSpec#load} builds the samples of a {@code data} entry: a JSONL file
 *       (GSM8K, MATH, DAPO or generic field mapping, {@link dev.alpharl.datasets.jsonl}) or a synthetic verifiable
 *       task ({@link dev.alpharl.datasets.synthetic});</li>
 *   <li>{@link dev.alpharl.datasets.MaxPromptLength#filter} drops prompts over the token budget, counting with the
 *       trainer's tokenizer after {@link dev.alpharl.datasets.PromptTemplate} and chat templating;</li>
 *   <li>{@link dev.alpharl.datasets.EpochSampler} hands out batches in a seeded order, resumable from a saved
 *       {@link dev.alpharl.datasets.EpochSampler.Cursor}.</li>
 * </ol>
 * {@link dev.alpharl.datasets.PromptSample#prompt()} is always the raw question; templates are applied at use.
 */
package dev.alpharl.datasets;
