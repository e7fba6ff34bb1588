package dev.alpharl.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.alpharl.algorithms.AdvantageEstimator;
import dev.alpharl.algorithms.GroupIndex;
import dev.alpharl.datasets.SplitMix64;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.metrics.ProcessMemory;
import dev.alpharl.trainer.model.LogProbScorer;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.SequenceBatch;
import dev.alpharl.trainer.optim.AdamW;
import dev.alpharl.trainer.optim.LrSchedule;
import dev.alpharl.trainer.optim.ParamGroup;
import dev.alpharl.trainer.rl.AlgorithmSpec;
import dev.alpharl.trainer.rl.Experience;
import dev.alpharl.trainer.rl.PolicyUpdater;
import dev.alpharl.trainer.rl.UpdateStats;
import dev.alpharl.trainer.rollout.Completion;
import dev.alpharl.trainer.rollout.Generator;
import dev.alpharl.trainer.rollout.SamplingParams;
import dev.alpharl.trainer.tensor.StepScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The JVM side of {@code rl-step}: the trainer's GRPO step, assembled from the pieces {@code RlTrainer} runs and
 * configured as it configures them. Each step: {@link Generator#generateGroups} (one prefill per prompt, finished
 * rows leave the batch) with row r forced to stop after L_r tokens (its max-new-tokens; no stop id, so no row ends
 * early); the reward ({@link EvenTokenReward}) and the configured advantage estimator on the trainer's
 * {@link SequenceBatch}; {@link PolicyUpdater#update} (micro-batches by the trainer config, clipped surrogate,
 * gradient clipping, AdamW). Text decoding and a task reward, which the bench model has no tokenizer for, are left
 * out on both sides.
 */
final class JvmRlStep {

    /**
     * What the JVM measured: the timed steps; every step's completions and learning rate (for the reference to
     * replay), loss and pre-clip gradient norm; the median time of a prefill alone; the peak resident memory; the
     * share of the CPU other processes took meanwhile ({@link CpuShare}).
     */
    record Result(
            String implementation,
            int threads,
            List<RlStepTimes> timed,
            List<List<long[]>> completions,
            double[] learningRates,
            List<Double> losses,
            List<Double> gradNorms,
            long generatedTokens,
            double prefillSeconds,
            long peakRssBytes,
            double otherCpuShare) {}

    private final RlStepSettings settings;
    private final QwenModel model;
    private final NDManager base;
    private final Consumer<String> log;

    JvmRlStep(RlStepSettings settings, QwenModel model, NDManager base, Consumer<String> log) {
        this.settings = settings;
        this.model = model;
        this.base = base;
        this.log = log;
    }

    Result run(RlStepInputs inputs) {
        CpuShare.Sample start = CpuShare.sample();
        TrainConfig config = settings.config();
        AlgorithmSpec spec = settings.algorithm();
        var o = config.optim();
        var r = config.rollout();
        model.setTrainable(true);
        try (AdamW optimizer = new AdamW(
                ParamGroup.decayMatricesOnly(model.weights(), o.weightDecay()),
                o.betas().get(0),
                o.betas().get(1),
                o.eps(),
                base)) {
            // as RlTrainer builds them
            PolicyUpdater updater = new PolicyUpdater(
                    new LogProbScorer(model),
                    optimizer,
                    new LrSchedule(
                            LrSchedule.Kind.parse(o.schedule().name()),
                            o.lr(),
                            o.warmupSteps(),
                            config.trainer().totalSteps() * spec.epochs() * spec.minibatches(),
                            o.minLrRatio()),
                    spec,
                    r.temperature(),
                    config.trainer().microBatchSize(),
                    config.trainer().maxTokensPerMicroBatch(),
                    o.gradClip(),
                    (long) r.promptsPerStep() * r.groupSize(),
                    r.maxNewTokens());
            if (updater.needsOldLogProbs() || spec.usesReference() || spec.usesCritic()) {
                throw new IllegalStateException("rl-step runs GRPO's single on-policy update, not " + spec.describe());
            }
            SamplingParams sampling = new SamplingParams(
                    r.maxNewTokens(), r.temperature(), r.topP(), r.topK(), Set.of(), RlStepInputs.PAD_ID);
            Generator generator = new Generator(model);
            int steps = settings.warmup() + settings.iters();
            List<RlStepTimes> timed = new ArrayList<>();
            List<List<long[]>> completions = new ArrayList<>();
            double[] lrs = new double[steps];
            List<Double> losses = new ArrayList<>(), norms = new ArrayList<>();
            long generated = 0;
            for (int s = 0; s < steps; s++) {
                lrs[s] = updater.currentLr();
                try (StepScope scope = StepScope.open(base)) {
                    NDManager m = scope.manager();
                    // the sampling generator of step s, derived from (seed, s) as RlTrainer derives it
                    SplittableRandom rng = new SplittableRandom(
                            SplitMix64.derive(settings.seed(), s + 1).nextLong());
                    long t0 = System.nanoTime();
                    List<Completion> out = generator.generateGroups(
                            inputs.prompts(), inputs.groupSize(), sampling, inputs.lengths(), rng, m);
                    long t1 = System.nanoTime();
                    List<long[]> tokens = out.stream().map(Completion::tokens).toList();
                    Experience exp = experience(inputs, tokens, spec, m);
                    long t2 = System.nanoTime();
                    UpdateStats stats = updater.update(exp, 0.0, m);
                    long t3 = System.nanoTime();
                    completions.add(tokens);
                    losses.add(stats.loss());
                    norms.add(stats.gradNorm());
                    generated = tokens.stream().mapToLong(t -> t.length).sum();
                    RlStepTimes times =
                            new RlStepTimes((t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (t3 - t0) / 1e9);
                    log.accept(String.format(
                            "step %d/%d%s: rollout %.2f s, update %.2f s, step %.2f s",
                            s + 1,
                            steps,
                            s < settings.warmup() ? " (warm-up)" : "",
                            times.rolloutSeconds(),
                            times.updateSeconds(),
                            times.stepSeconds()));
                    if (s >= settings.warmup()) {
                        timed.add(times);
                    }
                }
            }
            double prefill = prefillSeconds(generator, inputs, sampling);
            log.accept(String.format("prefill alone (every row stopped after one token): %.2f s", prefill));
            return new Result(
                    "DJL 0.36 / libtorch " + Engine.getEngine("PyTorch").getVersion(),
                    JniUtils.getNumThreads(),
                    timed,
                    completions,
                    lrs,
                    losses,
                    norms,
                    generated,
                    prefill,
                    ProcessMemory.peakResidentBytes(),
                    CpuShare.othersShare(start, CpuShare.sample()));
        } finally {
            model.setTrainable(false);
        }
    }

    /** The step's experience as RlTrainer prepares it for an on-policy single update without KL or critic. */
    private static Experience experience(
            RlStepInputs inputs, List<long[]> completions, AlgorithmSpec spec, NDManager m) {
        float[] scores = new float[completions.size()];
        long[] groups = new long[completions.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = EvenTokenReward.score(completions.get(i));
            groups[i] = i / inputs.groupSize();
        }
        SequenceBatch batch = new SequenceBatch(inputs.rowPrompts(), completions, RlStepInputs.PAD_ID);
        NDArray mask = batch.completionMask(m);
        NDArray advantages = spec.advantage()
                .value()
                .estimate(new AdvantageEstimator.Input(
                        m.create(scores), GroupIndex.of(groups), mask, null, null, spec.advantageOptions()))
                .advantages();
        return new Experience(batch, mask, advantages, null, null, null, null);
    }

    /**
     * The rollout's prefill alone: the same rollout with every row stopped after its first token, median of
     * {@code iters} runs (a profile of the rollout, not part of the step).
     */
    private double prefillSeconds(Generator generator, RlStepInputs inputs, SamplingParams sampling) {
        int[] ones = new int[inputs.rows()];
        Arrays.fill(ones, 1);
        double[] times = new double[settings.iters()];
        for (int i = 0; i < times.length; i++) {
            try (StepScope scope = StepScope.open(base)) {
                long t0 = System.nanoTime();
                generator.generateGroups(
                        inputs.prompts(), inputs.groupSize(), sampling, ones, new SplittableRandom(i), scope.manager());
                times[i] = (System.nanoTime() - t0) / 1e9;
            }
        }
        return JvmBench.median(times);
    }
}
