package dev.alpharl.trainer.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.alpharl.algorithms.AggregationPlan;
import dev.alpharl.algorithms.Diagnostics;
import dev.alpharl.algorithms.KlPenalty;
import dev.alpharl.algorithms.LossAggregation;
import dev.alpharl.algorithms.PolicyLossOutput;
import dev.alpharl.algorithms.PolicyLosses;
import dev.alpharl.algorithms.StepCounts;
import dev.alpharl.trainer.model.LogProbScorer;
import dev.alpharl.trainer.optim.AdamW;
import dev.alpharl.trainer.optim.GradientClipping;
import dev.alpharl.trainer.optim.LrSchedule;
import dev.alpharl.trainer.tensor.Scalars;
import dev.alpharl.trainer.tensor.StepScope;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The policy update of one RL step: {@code epochs} passes over the experience, each split into {@code minibatches}
 * optimizer steps; each optimizer step accumulates the gradients of micro-batches of at most
 * {@code microBatchSize} sequences, with the loss normaliser computed once from the whole minibatch's mask
 * (docs/ALGORITHMS.md §3), then clips by global norm and applies AdamW. A step whose gradient norm is not finite
 * is skipped: gradients are zeroed and the weights stay untouched.
 * <pre>
 *   L_{i,t} = PolicyLoss(l, l_old, A)  − c_H·H_{i,t}  + β·k(l, l_ref)   (KL term only when it is in the loss)
 *   loss    = Aggregation(L, mask, normaliser of the minibatch)
 * </pre>
 */
public final class PolicyUpdater {

    private static final Logger LOG = LogManager.getLogger(PolicyUpdater.class);

    private final LogProbScorer scorer;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final AlgorithmSpec spec;
    private final double temperature;
    private final int microBatchSize;
    private final int maxTokensPerMicroBatch;
    private final double gradClip;
    private final long constantNormSequences;
    private final long constantNormTokens;

    public PolicyUpdater(
            LogProbScorer scorer,
            AdamW optimizer,
            LrSchedule schedule,
            AlgorithmSpec spec,
            double temperature,
            int microBatchSize,
            int maxTokensPerMicroBatch,
            double gradClip,
            long constantNormSequences,
            long constantNormTokens) {
        this.scorer = scorer;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.spec = spec;
        this.temperature = temperature;
        this.microBatchSize = microBatchSize;
        this.maxTokensPerMicroBatch = maxTokensPerMicroBatch;
        this.gradClip = gradClip;
        this.constantNormSequences = constantNormSequences;
        this.constantNormTokens = constantNormTokens;
    }

    /** True when π_old must be scored before the update (several optimizer steps per rollout). */
    public boolean needsOldLogProbs() {
        return spec.epochs() * spec.minibatches() > 1;
    }

    /** The learning rate of the next optimizer step. */
    public double currentLr() {
        return schedule.lr(optimizer.steps());
    }

    /** Runs the update; {@code klBeta} is the current KL coefficient (for an in-loss KL). */
    public UpdateStats update(Experience exp, double klBeta, NDManager parent) {
        Sums total = new Sums();
        int minibatches = Math.min(spec.minibatches(), exp.rows());
        for (int epoch = 0; epoch < spec.epochs(); epoch++) {
            for (int mb = 0; mb < minibatches; mb++) {
                int from = exp.rows() * mb / minibatches, to = exp.rows() * (mb + 1) / minibatches;
                try (StepScope scope = StepScope.open(parent)) {
                    optimizerStep(exp.slice(from, to), klBeta, scope.manager(), total);
                }
            }
        }
        return total.stats();
    }

    private void optimizerStep(Experience mb, double klBeta, NDManager m, Sums total) {
        LossAggregation aggregation = spec.aggregation().value();
        AggregationPlan plan = aggregation.normaliser() == LossAggregation.Normaliser.CONSTANT
                ? AggregationPlan.constantNorm(aggregation, constantNormSequences, constantNormTokens)
                : AggregationPlan.forStep(aggregation, StepCounts.of(mb.mask()));
        Sums step = new Sums();
        for (int[] rows : MicroBatches.plan(mb.batch(), microBatchSize, maxTokensPerMicroBatch)) {
            try (StepScope scope = StepScope.open(m);
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Experience micro =
                        isRun(rows) ? mb.slice(rows[0], rows[0] + rows.length) : mb.select(rows, scope.manager());
                scorer.backward(
                        micro.batch(),
                        temperature,
                        true,
                        (a, b, scores) -> chunkLoss(micro.slice(a, b), scores, plan, klBeta, step),
                        gc,
                        scope.manager());
            }
        }
        double lr = currentLr();
        double norm = GradientClipping.clip(optimizer.weights(), gradClip);
        if (Double.isFinite(norm) && Double.isFinite(step.loss)) {
            optimizer.step(lr);
        } else {
            optimizer.zeroGradients();
            step.skipped++;
            LOG.warn(
                    "optimizer step skipped: non-finite {} (loss {}, grad norm {}); weights left untouched",
                    Double.isFinite(step.loss) ? "gradient" : "loss",
                    step.loss,
                    norm);
        }
        step.gradNorm = norm;
        total.add(step);
    }

    /** Whether the rows are consecutive (a plain slice, no gather needed). */
    private static boolean isRun(int[] rows) {
        for (int i = 1; i < rows.length; i++) {
            if (rows[i] != rows[0] + i) {
                return false;
            }
        }
        return true;
    }

    private NDArray chunkLoss(Experience c, LogProbScorer.Scores s, AggregationPlan plan, double klBeta, Sums sums) {
        NDArray logp = s.logp();
        NDArray old = c.oldLogp() != null ? c.oldLogp() : logp.stopGradient();
        PolicyLossOutput out = spec.loss().value().loss(logp, old, c.advantages(), c.mask(), spec.clip());
        NDArray perToken = out.loss();
        if (spec.entropyCoef() > 0) {
            perToken = PolicyLosses.withEntropyBonus(perToken, s.entropy(), spec.entropyCoef());
        }
        double tokens = Scalars.value(c.mask().sum());
        if (spec.klCoef() > 0 && !spec.klInReward()) {
            NDArray k = spec.klEstimator().value().estimate(logp, c.refLogp());
            perToken = KlPenalty.addToLoss(perToken, k, klBeta);
            sums.kl += Scalars.value(Diagnostics.maskedMean(k, c.mask())) * tokens;
        }
        NDArray loss = plan.aggregate(perToken, c.mask());
        Diagnostics.ClipFractions clip = Diagnostics.clipFractions(out, c.mask());
        sums.loss += Scalars.value(loss);
        sums.tokens += tokens;
        sums.clipLow += Scalars.value(clip.low()) * tokens;
        sums.clipHigh += Scalars.value(clip.high()) * tokens;
        sums.clip += Scalars.value(clip.total()) * tokens;
        sums.approxKl += Scalars.value(Diagnostics.approxKl(logp.stopGradient(), old, c.mask())) * tokens;
        sums.entropy += Scalars.value(Diagnostics.maskedMean(s.entropy(), c.mask())) * tokens;
        return loss;
    }

    /** Running sums over chunks (token-weighted) and optimizer steps. */
    private static final class Sums {
        double loss, tokens, clip, clipLow, clipHigh, approxKl, entropy, kl, gradNorm;
        double lossOverSteps,
                gradNormOverSteps,
                tokensAll,
                clipAll,
                clipLowAll,
                clipHighAll,
                approxKlAll,
                entropyAll,
                klAll;
        int steps, skipped;

        void add(Sums s) {
            steps++;
            skipped += s.skipped;
            lossOverSteps += s.loss;
            gradNormOverSteps += s.gradNorm;
            tokensAll += s.tokens;
            clipAll += s.clip;
            clipLowAll += s.clipLow;
            clipHighAll += s.clipHigh;
            approxKlAll += s.approxKl;
            entropyAll += s.entropy;
            klAll += s.kl;
        }

        UpdateStats stats() {
            double t = Math.max(1, tokensAll);
            return new UpdateStats(
                    lossOverSteps / steps,
                    clipAll / t,
                    clipLowAll / t,
                    clipHighAll / t,
                    approxKlAll / t,
                    entropyAll / t,
                    klAll / t,
                    gradNormOverSteps / steps,
                    steps,
                    skipped,
                    Double.NaN);
        }
    }
}
