package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.alpharl.algorithms.Constant;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-token log-probabilities (and entropies) of completion tokens under the policy, for a {@link SequenceBatch}:
 * <pre>
 *   log π(y_j | x, y_&lt;j) = log softmax(h_{|x|+j−1} · W_lmᵀ / τ)[y_j],   H_j = −Σ_v p_v log p_v
 * </pre>
 * with τ the sampling temperature (as verl and TRL score rollouts). Logits are computed only at completion
 * positions and for a chunk of whole rows at a time, at most {@code chunkElements} logits per chunk.
 *
 * <p>{@link #backward} is the memory-bounded training path: the decoder trunk runs once; its completion hidden
 * states are cut from the graph into a leaf; each chunk's head, log-softmax and loss run and are back-propagated
 * at once (freeing that chunk's [tokens, V] activations); finally the accumulated gradient of the leaf flows back
 * through the trunk in one more backward. So the logits of the whole batch never exist at the same time, and the
 * result equals one backward of the summed chunk losses. Chunks hold whole rows, so sequence-level losses (GSPO,
 * seq-mean aggregations) stay exact. The trunk runs as a {@link TrainingForward}: with LoRA dropout, and with
 * activation checkpointing when the scorer is built with {@code recomputeLayers}.
 */
public final class LogProbScorer {

    /** Default logits budget per chunk: 2²⁶ elements (256 MB of fp32). */
    public static final long DEFAULT_CHUNK_ELEMENTS = 1L << 26;

    private final QwenModel model;
    private final long chunkElements;
    private final boolean recomputeLayers;

    /**
     * @param recomputeLayers activation checkpointing in {@link #backward}: keep only each decoder layer's input and
     *                        recompute the layer during backward
     */
    public LogProbScorer(QwenModel model, long chunkElements, boolean recomputeLayers) {
        if (chunkElements < 1) {
            throw new IllegalArgumentException("chunk budget must be positive, got " + chunkElements);
        }
        this.model = model;
        this.chunkElements = chunkElements;
        this.recomputeLayers = recomputeLayers;
    }

    public LogProbScorer(QwenModel model, long chunkElements) {
        this(model, chunkElements, false);
    }

    public LogProbScorer(QwenModel model) {
        this(model, DEFAULT_CHUNK_ELEMENTS);
    }

    /** Whether {@link #backward} computes entropies, and whether the loss may differentiate them. */
    public enum Entropy {
        NONE,
        /** For metrics only: computed without a graph. */
        DETACHED,
        /** Part of the loss (an entropy bonus): differentiable. */
        DIFFERENTIABLE
    }

    /** Completion-aligned scores [rows, C]; zero where the completion has ended. Entropy is null unless asked for. */
    public record Scores(NDArray logp, NDArray entropy) {}

    /** The loss of rows [from, to) of the batch from their scores (a scalar, differentiable). */
    @FunctionalInterface
    public interface ChunkLoss {
        NDArray apply(int from, int to, Scores scores);
    }

    /**
     * Scores the whole batch. Inside a gradient collector with trainable weights the result is differentiable, but
     * then every chunk's activations stay alive until backward: training should use {@link #backward}.
     */
    public Scores score(SequenceBatch batch, double temperature, boolean withEntropy, NDManager m) {
        NDArray hidden = flatHidden(batch, m);
        Entropy entropy = withEntropy ? Entropy.DIFFERENTIABLE : Entropy.NONE;
        List<NDArray> logps = new ArrayList<>();
        List<NDArray> entropies = new ArrayList<>();
        for (int[] chunk : chunks(batch)) {
            // the chunk's [tokens, V] arrays live in their own manager and are freed with it (a graph that needs
            // them for a later backward keeps its own references)
            try (NDManager cm = m.newSubManager()) {
                NDArray rows = gatherRows(batch, chunk[0], chunk[1], hidden, m);
                rows.attach(cm);
                Scores s = head(batch, chunk[0], chunk[1], rows, temperature, entropy, cm);
                logps.add(moveTo(s.logp(), m));
                if (withEntropy) {
                    entropies.add(moveTo(s.entropy(), m));
                }
            }
        }
        return new Scores(joinRows(logps), withEntropy ? joinRows(entropies) : null);
    }

    /** {@link #backward(SequenceBatch, double, Entropy, ChunkLoss, GradientCollector, NDManager, long)} with pass seed 0. */
    public Scores backward(
            SequenceBatch batch,
            double temperature,
            Entropy entropy,
            ChunkLoss loss,
            GradientCollector gc,
            NDManager m) {
        return backward(batch, temperature, entropy, loss, gc, m, 0L);
    }

    /**
     * Back-propagates Σ_chunks loss(chunk) into the trained weights' gradients (accumulating, as DJL does), chunk by
     * chunk. Must run inside {@code gc}. {@code passSeed} seeds this pass's LoRA dropout masks (give each
     * micro-batch of a run its own). Returns the detached completion-aligned scores [B, C] for diagnostics.
     */
    public Scores backward(
            SequenceBatch batch,
            double temperature,
            Entropy entropy,
            ChunkLoss loss,
            GradientCollector gc,
            NDManager m,
            long passSeed) {
        long b = batch.rows(), t = batch.sequenceLength();
        TrainingForward pass = model.trainingForward(batch.ids(m), positions(b, t, m), passSeed, recomputeLayers);
        NDArray hidden = pass.hidden().reshape(b * t, -1);
        NDArray selected = gatherRows(batch, 0, batch.rows(), hidden, m);
        NDArray leaf = selected.stopGradient();
        leaf.setRequiresGradient(true);
        List<NDArray> logps = new ArrayList<>();
        List<NDArray> entropies = new ArrayList<>();
        int tokenStart = 0;
        for (int[] chunk : chunks(batch)) {
            int tokens = batch.completionTokens(chunk[0], chunk[1]);
            // the chunk's logits, log-softmax and their gradients are freed with its manager, before the next chunk
            try (NDManager cm = m.newSubManager()) {
                NDArray rows = leaf.get(tokenStart + ":" + (tokenStart + tokens));
                rows.attach(cm);
                Scores s = head(batch, chunk[0], chunk[1], rows, temperature, entropy, cm);
                if (tokens > 0) {
                    gc.backward(loss.apply(chunk[0], chunk[1], s));
                }
                logps.add(moveTo(s.logp().stopGradient(), m));
                if (entropy != Entropy.NONE) {
                    entropies.add(moveTo(s.entropy().stopGradient(), m));
                }
            }
            tokenStart += tokens;
        }
        if (tokenStart > 0) {
            NDArray upstream = leaf.getGradient();
            upstream.attach(m);
            gc.backward(selected.mul(upstream).sum());
            pass.backwardThroughLayers(m);
        }
        return new Scores(joinRows(logps), entropy != Entropy.NONE ? joinRows(entropies) : null);
    }

    private static NDArray moveTo(NDArray x, NDManager m) {
        x.attach(m);
        return x;
    }

    /** Concatenates along rows. (DJL's {@code NDArrays.concat} of one array returns a detached copy: avoid it.) */
    private static NDArray joinRows(List<NDArray> parts) {
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
    }

    /** Trunk output flattened to [B·T, H]. */
    private NDArray flatHidden(SequenceBatch batch, NDManager m) {
        long b = batch.rows(), t = batch.sequenceLength();
        return model.forward(batch.ids(m), positions(b, t, m), null, null).reshape(b * t, -1);
    }

    /** Positions 0 … T−1 for each of B unpadded rows. */
    private static NDArray positions(long b, long t, NDManager m) {
        return m.arange(0, t, 1, ai.djl.ndarray.types.DataType.INT64)
                .reshape(1, t)
                .repeat(0, b);
    }

    /** Hidden states that predict the completion tokens of rows [from, to), in row order: [tokens, H]. */
    private static NDArray gatherRows(SequenceBatch batch, int from, int to, NDArray flatHidden, NDManager m) {
        return flatHidden.get(m.create(batch.predictorPositions(from, to)));
    }

    /** Head, log-softmax and gather for one chunk; scores laid out [to − from, C]. */
    private Scores head(
            SequenceBatch batch, int from, int to, NDArray hidden, double temperature, Entropy entropy, NDManager m) {
        if (batch.completionTokens(from, to) == 0) {
            NDArray zeros = m.zeros(new Shape(to - from, batch.maxCompletion()));
            return new Scores(zeros, entropy != Entropy.NONE ? zeros : null);
        }
        NDArray logits = model.logits(hidden);
        if (temperature != 1.0) {
            logits = logits.div(Constant.like(logits, temperature));
        }
        NDArray logSoftmax = logits.logSoftmax(-1);
        NDArray targets = m.create(batch.completionIds(from, to)).expandDims(-1);
        NDArray logp = logSoftmax.gather(targets, -1).squeeze(-1);
        NDArray h = null;
        if (entropy != Entropy.NONE) {
            // a detached entropy records no graph, which would otherwise hold two [tokens, V] arrays until the
            // chunk's manager closes
            NDArray ls = entropy == Entropy.DETACHED ? logSoftmax.stopGradient() : logSoftmax;
            h = batch.alignToCompletions(ls.exp().mul(ls).sum(new int[] {-1}).neg(), from, to, m);
        }
        return new Scores(batch.alignToCompletions(logp, from, to, m), h);
    }

    /** Row ranges [from, to) whose logits fit the chunk budget (a row larger than the budget is a chunk alone). */
    List<int[]> chunks(SequenceBatch batch) {
        long v = model.config().vocabSize();
        List<int[]> chunks = new ArrayList<>();
        int start = 0;
        long used = 0;
        for (int b = 0; b < batch.rows(); b++) {
            long need = (long) batch.completions().get(b).length * v;
            if (b > start && used + need > chunkElements) {
                chunks.add(new int[] {start, b});
                start = b;
                used = 0;
            }
            used += need;
        }
        chunks.add(new int[] {start, batch.rows()});
        return chunks;
    }
}
