package dev.alpharl.trainer.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.alpharl.algorithms.AggregationPlan;
import dev.alpharl.algorithms.Algorithms;
import dev.alpharl.algorithms.StepCounts;
import dev.alpharl.algorithms.ValueLoss;
import dev.alpharl.trainer.checkpoint.Checkpointable;
import dev.alpharl.trainer.checkpoint.StateReader;
import dev.alpharl.trainer.checkpoint.StateWriter;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.SequenceBatch;
import dev.alpharl.trainer.optim.AdamW;
import dev.alpharl.trainer.optim.GradientClipping;
import dev.alpharl.trainer.optim.ParamGroup;
import dev.alpharl.trainer.tensor.Scalars;
import dev.alpharl.trainer.tensor.StepScope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PPO's value model: its own copy of the policy's decoder trunk plus a scalar head, V(s_t) = h_t·w + b, read at
 * the positions that predict each completion token (the same states as the policy's log-probs). Trained with
 * the clipped value loss (docs/ALGORITHMS.md §4.6), token-mean aggregated, by its own AdamW:
 * <pre>
 *   V_clip = V_old + clip(V − V_old, −c_v, c_v);   L_V = ½ · mean_t max((V − Ret)², (V_clip − Ret)²)
 * </pre>
 */
public final class Critic implements AutoCloseable, Checkpointable {

    /** Tensor names of the value head, next to the trunk's HF names. */
    public static final String HEAD_WEIGHT = "value_head.weight";

    public static final String HEAD_BIAS = "value_head.bias";

    private final QwenModel trunk;
    private final NDArray headWeight;
    private final NDArray headBias;
    private final AdamW optimizer;
    private final double lr;
    private final double valueClip;
    private final double gradClip;
    private final int microBatchSize;

    /** A critic whose trunk starts as a copy of {@code policy}'s weights and whose head starts at zero. */
    public Critic(
            QwenModel policy,
            double lr,
            double valueClip,
            double gradClip,
            List<Double> betas,
            double eps,
            int microBatchSize,
            NDManager parent) {
        Map<String, NDArray> copy = new LinkedHashMap<>();
        policy.weights().forEach((n, w) -> copy.put(n, w.duplicate()));
        this.trunk = policy.withWeights(copy, parent);
        this.headWeight = trunk.manager().zeros(new Shape(policy.config().hiddenSize()), DataType.FLOAT32);
        this.headBias = trunk.manager().zeros(new Shape(1), DataType.FLOAT32);
        trunk.setTrainable(true);
        headWeight.setRequiresGradient(true);
        headBias.setRequiresGradient(true);
        List<ParamGroup> groups = new ArrayList<>(ParamGroup.decayMatricesOnly(trunk.weights(), 0.0));
        groups.add(new ParamGroup("value_head", Map.of(HEAD_WEIGHT, headWeight, HEAD_BIAS, headBias), 0.0));
        this.optimizer = new AdamW(groups, betas.get(0), betas.get(1), eps, parent);
        this.lr = lr;
        this.valueClip = valueClip;
        this.gradClip = gradClip;
        this.microBatchSize = microBatchSize;
    }

    /** Values [B, C] at the completion positions (differentiable inside a gradient collector). */
    public NDArray values(SequenceBatch batch, NDManager m) {
        long b = batch.rows(), t = batch.sequenceLength();
        NDArray positions = m.arange(0, t, 1, DataType.INT64).reshape(1, t).repeat(0, b);
        NDArray hidden = trunk.forward(batch.ids(m), positions, null, null).reshape(b * t, -1);
        NDArray selected = hidden.get(m.create(batch.predictorPositions(0, batch.rows())));
        NDArray v = selected.matMul(headWeight).add(headBias);
        return batch.alignToCompletions(v, 0, batch.rows(), m);
    }

    /** One optimizer step on the value loss over {@code exp}; returns the loss (NaN when the step was skipped). */
    public double update(Experience exp, NDManager parent) {
        try (StepScope scope = StepScope.open(parent)) {
            NDManager m = scope.manager();
            AggregationPlan plan =
                    AggregationPlan.forStep(Algorithms.AGGREGATIONS.get("token-mean"), StepCounts.of(exp.mask()));
            double loss = 0;
            for (int from = 0; from < exp.rows(); from += microBatchSize) {
                Experience micro = exp.slice(from, Math.min(exp.rows(), from + microBatchSize));
                try (StepScope inner = StepScope.open(m);
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray v = values(micro.batch(), inner.manager());
                    ValueLoss.Output out = ValueLoss.clipped(v, micro.oldValues(), micro.returns(), valueClip);
                    NDArray scalar = plan.aggregate(out.loss(), micro.mask());
                    loss += Scalars.value(scalar);
                    gc.backward(scalar);
                }
            }
            double norm = GradientClipping.clip(optimizer.weights(), gradClip);
            if (!Double.isFinite(norm) || !Double.isFinite(loss)) {
                optimizer.zeroGradients();
                return Double.NaN;
            }
            optimizer.step(lr);
            return loss;
        }
    }

    /** Every trainable array of the critic by name (trunk HF names and the head), for checkpoints. */
    public Map<String, NDArray> weights() {
        Map<String, NDArray> all = new LinkedHashMap<>(trunk.weights());
        all.put(HEAD_WEIGHT, headWeight);
        all.put(HEAD_BIAS, headBias);
        return all;
    }

    /** The critic's own copy of the policy's trunk. */
    QwenModel trunk() {
        return trunk;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The critic's checkpoint state: its optimizer's step count (its weights and moments are tensor files). */
    record State(long optimizerSteps) {}

    @Override
    public String stateKey() {
        return "critic";
    }

    /** Writes {@code critic.safetensors} (trunk and head), {@code critic-optimizer.safetensors} and the step count. */
    @Override
    public void saveState(StateWriter out) throws IOException {
        out.json(new State(optimizer.steps()));
        out.tensors(weights());
        optimizer.save(out, "optimizer");
    }

    @Override
    public void restoreState(StateReader in) throws IOException {
        State state = in.json(State.class);
        try (NDManager tmp = headWeight.getManager().newSubManager()) {
            Map<String, NDArray> saved = in.tensors(tmp);
            weights().forEach((name, w) -> w.set(saved.get(name).toByteBuffer()));
        }
        optimizer.restore(in, "optimizer", state.optimizerSteps());
    }

    @Override
    public void close() {
        optimizer.close();
        trunk.close();
    }
}
