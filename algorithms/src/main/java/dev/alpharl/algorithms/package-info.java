/**
 * RL fine-tuning algorithms as small pure functions on DJL {@link ai.djl.ndarray.NDArray}s: advantage estimators
 * ({@link dev.alpharl.algorithms.Advantages}), policy and value losses ({@link dev.alpharl.algorithms.PolicyLosses},
 * {@link dev.alpharl.algorithms.ValueLoss}), loss aggregation with a once-per-optimizer-step normaliser
 * ({@link dev.alpharl.algorithms.AggregationPlan}), KL estimators and controllers
 * ({@link dev.alpharl.algorithms.KlEstimator}, {@link dev.alpharl.algorithms.KlController}) and training
 * diagnostics ({@link dev.alpharl.algorithms.Diagnostics}).
 *
 * <p>Conventions shared by every function here:
 * <ul>
 *   <li>Token tensors are {@code [B, T]}, right-padded; {@code mask} is 1 on valid response tokens and 0 on padding
 *       (any numeric or boolean dtype; it is converted to the data's dtype). Sequence tensors are {@code [B]}.</li>
 *   <li>Loss functions are built only from differentiable DJL ops (no {@code toType} in the graph) and return
 *       per-token matrices; turning them into a scalar is {@link dev.alpharl.algorithms.AggregationPlan}'s job.</li>
 *   <li>Padded positions must hold finite numbers; fully masked rows and zero-variance groups never produce NaN.</li>
 *   <li>Results and temporaries belong to the manager of the first input (DJL's rule), so call these functions on
 *       arrays owned by a per-step manager.</li>
 * </ul>
 */
package dev.alpharl.algorithms;
