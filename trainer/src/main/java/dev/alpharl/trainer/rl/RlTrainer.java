package dev.alpharl.trainer.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.alpharl.algorithms.AdvantageEstimator;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.algorithms.GroupIndex;
import dev.alpharl.algorithms.KlController;
import dev.alpharl.datasets.EpochSampler;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.datasets.SplitMix64;
import dev.alpharl.rewards.RewardCounts;
import dev.alpharl.trainer.checkpoint.Checkpointable;
import dev.alpharl.trainer.checkpoint.TrainerCheckpoint;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.metrics.Phase;
import dev.alpharl.trainer.metrics.ProcessMemory;
import dev.alpharl.trainer.metrics.StepRecord;
import dev.alpharl.trainer.metrics.TrainingMetrics;
import dev.alpharl.trainer.model.LogProbScorer;
import dev.alpharl.trainer.model.PolicyFiles;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.SequenceBatch;
import dev.alpharl.trainer.optim.AdamW;
import dev.alpharl.trainer.optim.LrSchedule;
import dev.alpharl.trainer.optim.ParamGroup;
import dev.alpharl.trainer.rollout.Rollout;
import dev.alpharl.trainer.rollout.RolloutCollector;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.rollout.SamplingParams;
import dev.alpharl.trainer.tensor.Scalars;
import dev.alpharl.trainer.tensor.StepScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The RL loop (the {@code train} command). Each step: draw prompts-per-step prompts, generate group-size
 * completions each, score them (dropping all-equal groups and drawing more prompts under dynamic sampling),
 * compute advantages (with the critic's values for GAE), score π_old and π_ref when needed, update the policy
 * (and the critic), then hand the step to the registered {@link TrainingCallback}s (evaluation, AlphaRL) and its
 * finished metrics line to them (metrics file, progress line, checkpoints); see docs/ARCHITECTURE.md.
 *
 * <p>Exact resume: the sampling generator of step s is derived from (seed, s), the data order from the seed and
 * the saved cursor, and everything else that evolves (weights, and every {@link Checkpointable} part: AdamW moments,
 * KL coefficient, critic, totals, each callback's state) is in the checkpoint, so a resumed run computes what an
 * uninterrupted run would have.
 */
public final class RlTrainer implements TrainingLoop, AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(RlTrainer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Generation rounds per step under dynamic sampling before the step goes ahead with what it has. */
    private static final int MAX_GENERATION_ROUNDS = 10;

    private final TrainingContext ctx;
    private final TrainConfig config;
    private final AlgorithmSpec spec;
    private final Path runDir;
    private final QwenModel policy;
    private final QwenModel reference;
    private final Critic critic;
    private final AdamW optimizer;
    private final LogProbScorer scorer;
    private final LogProbScorer referenceScorer;
    private final PolicyUpdater updater;
    private final RolloutEngine generator;
    private final RolloutCollector collector;

    private final EpochSampler sampler;
    private final TrainingMetrics metrics;
    private final List<TrainingCallback> callbacks = new ArrayList<>();
    private volatile boolean stopRequested;
    private boolean finished;
    private KlController kl;
    private long step;
    private double elapsedBefore;
    private long tokensTotal;
    private long skippedSteps;
    private long rewardErrors;
    private long rewardTimeouts;
    /** The step of the last checkpoint written by this process (-1: none), so a step is saved once. */
    private long checkpointedStep = -1;

    private RewardCounts countsBefore = RewardCounts.NONE;

    public RlTrainer(TrainingContext ctx) throws IOException {
        this.ctx = ctx;
        this.config = ctx.config();
        this.spec = AlgorithmSpec.resolve(config.algorithm(), config.rollout());
        this.runDir = config.run().runDir();
        LOG.info(spec.describe());
        this.policy = ctx.loadPolicy();
        // with LoRA the reference is the policy's base with the adapters switched off: the same arrays, no copy
        this.reference = !spec.usesReference()
                ? null
                : policy.adapters() != null ? policy.withoutAdapters() : ctx.loadModel(ctx.modelDir());
        var o = config.optim();
        this.critic = spec.usesCritic()
                ? new Critic(
                        policy,
                        config.algorithm().critic().lr(),
                        config.algorithm().critic().valueClip(),
                        o.gradClip(),
                        o.betas(),
                        o.eps(),
                        config.trainer().microBatchSize(),
                        config.trainer().activationCheckpointing(),
                        ctx.manager())
                : null;
        policy.setTrainable(true);
        this.optimizer = new AdamW(
                ParamGroup.decayMatricesOnly(policy.trainableWeights(), o.weightDecay()),
                o.betas().get(0),
                o.betas().get(1),
                o.eps(),
                ctx.manager());
        LrSchedule schedule = new LrSchedule(
                LrSchedule.Kind.parse(o.schedule().name()),
                o.lr(),
                o.warmupSteps(),
                config.trainer().totalSteps() * spec.epochs() * spec.minibatches(),
                o.minLrRatio());
        this.scorer = new LogProbScorer(
                policy, LogProbScorer.DEFAULT_CHUNK_ELEMENTS, config.trainer().activationCheckpointing());
        this.referenceScorer = reference == null ? null : new LogProbScorer(reference);
        var r = config.rollout();
        this.updater = new PolicyUpdater(
                scorer,
                optimizer,
                schedule,
                spec,
                r.temperature(),
                config.trainer().microBatchSize(),
                config.trainer().maxTokensPerMicroBatch(),
                o.gradClip(),
                (long) r.promptsPerStep() * r.groupSize(),
                r.maxNewTokens());
        this.generator = RolloutEngine.local(policy, r.maxNumSeqs());
        this.collector = new RolloutCollector(
                generator, ctx.encoder(), ctx.reward(), spec.overlongBuffer(), spec.overlongPenalty());
        this.sampler =
                new EpochSampler(ctx.train(), config.run().seed(), config.data().shuffle());
        this.kl = klController(spec.klCoef());
        this.metrics = TrainingMetrics.fromConfig(config.metrics());
        metrics.registerLiveArrays(() -> ctx.manager().getManagedArrays().size());
        LOG.info(
                "model: {} ({} parameters, {} layers, vocab {}), {} on {}; resident memory {} MB",
                config.model().path(),
                policy.parameterCount(),
                policy.config().numLayers(),
                policy.config().vocabSize(),
                policy.precision(),
                ctx.manager().getDevice(),
                Math.round(ProcessMemory.residentBytes() / 1e6));
        if (policy.adapters() != null) {
            LOG.info(
                    "LoRA: {} adapter parameters on {} modules ({} of the model's), r = {}; KL reference = the base "
                            + "with adapters off (no copy)",
                    policy.adapters().parameterCount(),
                    policy.adapters().modules().size(),
                    String.format(
                            java.util.Locale.ROOT,
                            "%.3f%%",
                            100.0 * policy.adapters().parameterCount() / policy.parameterCount()),
                    policy.adapters().spec().r());
        }
        LOG.info(
                "per step: {} prompts x {} samples = {} sequences; {} optimizer step(s) per rollout; "
                        + "micro-batches of {} sequences",
                r.promptsPerStep(),
                r.groupSize(),
                r.promptsPerStep() * r.groupSize(),
                spec.epochs() * spec.minibatches(),
                config.trainer().microBatchSize());
    }

    /** Registers a callback; callbacks are called in the order they were added. Call before {@link #run}. */
    public void addCallback(TrainingCallback callback) {
        callbacks.add(callback);
    }

    /** Asks the loop to checkpoint and stop after the current step (from a signal handler). */
    public void requestStop() {
        stopRequested = true;
    }

    /** Runs (or resumes) the training; returns the run directory. */
    public Path run() throws IOException {
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("config.yaml"), config.toYaml());
        Optional<Path> checkpoint = TrainerCheckpoint.latest(runDir);
        if (checkpoint.isPresent()) {
            restore(checkpoint.get());
            LOG.info("resumed from {} (step {})", checkpoint.get(), step);
        }
        RunStart start = new RunStart(step, checkpoint.isPresent(), this);
        for (TrainingCallback c : callbacks) {
            c.onStart(start);
        }
        long started = System.nanoTime();
        double startElapsed = elapsedBefore;
        boolean stoppedByCallback = false;
        SkippedStepLimit skippedLimit = new SkippedStepLimit(config.trainer().maxSkippedSteps(), optimizer.steps());
        while (step < config.trainer().totalSteps() && !stopRequested && !stoppedByCallback) {
            step++;
            StepRecord.Builder record;
            double rewardMean;
            try (StepScope scope = StepScope.open(ctx.manager())) {
                StepResult result = trainStep(scope.manager());
                rewardMean = result.rewardMean;
                record = result.record;
            }
            try (StepScope scope = StepScope.open(ctx.manager())) {
                stoppedByCallback = afterStep(new StepEnd(step, policy, rewardMean, record, scope.manager()));
            }
            // a callback may have written new weights (AlphaRL continuing from its prediction)
            generator.weightsUpdated(policy);
            elapsedBefore = startElapsed + (System.nanoTime() - started) / 1e9;
            record.timings(metrics.takeStepTimings())
                    .put("tokens/total", tokensTotal)
                    .put("memory/rss_mb", ProcessMemory.residentBytes() / 1e6)
                    .peaks(metrics.takeStepPeaks())
                    .put("memory/live_arrays", ctx.manager().getManagedArrays().size());
            long gpuBytes = ProcessMemory.gpuUsedBytes(ctx.manager().getDevice());
            if (gpuBytes >= 0) {
                record.put("memory/gpu_used_mb", gpuBytes / 1e6);
            }
            StepRecord line = rebuild(record.build(), elapsedBefore);
            emit(line);
            // trainer.max-skipped-steps: too many steps in a row without an optimizer step stop the run (after
            // a checkpoint) instead of finishing it with unchanged weights
            if (skippedLimit.reached(step, optimizer.steps(), line)) {
                saveCheckpoint();
                throw skippedLimit.failure(
                        step, TrainerCheckpoint.latest(runDir).orElse(runDir));
            }
        }
        if (stopRequested && step < config.trainer().totalSteps()) {
            LOG.info("stopped at step {} on request; resume with the same command", step);
            return runDir;
        }
        finish(stoppedByCallback);
        return runDir;
    }

    private boolean afterStep(StepEnd end) {
        boolean stop = false;
        for (TrainingCallback c : callbacks) {
            stop |= c.phase() == null ? c.afterStep(end) : metrics.time(c.phase(), () -> c.afterStep(end));
        }
        return stop;
    }

    @Override
    public void emit(StepRecord record) {
        try {
            for (TrainingCallback c : callbacks) {
                c.onRecord(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Re-creates a record with the final wall time (known only once the step, eval and hook are done). */
    private static StepRecord rebuild(StepRecord r, double timeS) {
        StepRecord.Builder b = StepRecord.builder(r.step(), timeS);
        r.values().forEach((k, v) -> {
            if (!k.equals(StepRecord.STEP) && !k.equals(StepRecord.TIME_S) && v != null) {
                b.put(k, v);
            }
        });
        return b.build();
    }

    private record StepResult(StepRecord.Builder record, double rewardMean) {}

    private StepResult trainStep(NDManager m) {
        var r = config.rollout();
        SplittableRandom rng = new SplittableRandom(
                SplitMix64.derive(config.run().seed(), step).nextLong());
        SamplingParams sampling = ctx.rolloutSampling();
        // --- rollout and reward (dynamic sampling keeps drawing until prompts-per-step groups vary)
        long tRoll = System.nanoTime();
        List<Rollout> kept = new ArrayList<>();
        List<Rollout> all = new ArrayList<>();
        int rounds = 0, groupsSeen = 0;
        while (kept.size() < r.promptsPerStep() * r.groupSize()
                && rounds < (spec.dynamicSampling() ? MAX_GENERATION_ROUNDS : 1)) {
            rounds++;
            List<PromptSample> prompts = sampler.next(r.promptsPerStep());
            int first = groupsSeen;
            List<Rollout> batch = metrics.time(
                    Phase.ROLLOUT, () -> collector.collect(prompts, r.groupSize(), first, sampling, rng, m));
            groupsSeen += prompts.size();
            all.addAll(batch);
            for (int g = 0; g < prompts.size(); g++) {
                List<Rollout> group = batch.subList(g * r.groupSize(), (g + 1) * r.groupSize());
                if (!spec.dynamicSampling() || varies(group)) {
                    kept.addAll(group);
                }
            }
        }
        double rolloutSeconds = (System.nanoTime() - tRoll) / 1e9;
        long generated = all.stream().mapToLong(Rollout::length).sum();
        metrics.rolloutTokens().increment(generated);
        if (kept.size() > r.promptsPerStep() * r.groupSize()) {
            kept = new ArrayList<>(kept.subList(0, r.promptsPerStep() * r.groupSize()));
        }
        RewardCounts now = collector.reward().counts();
        long stepErrors = now.errors() - countsBefore.errors(), stepTimeouts = now.timeouts() - countsBefore.timeouts();
        countsBefore = now;
        metrics.rewardErrors().increment(stepErrors);
        metrics.rewardTimeouts().increment(stepTimeouts);
        rewardErrors += stepErrors;
        rewardTimeouts += stepTimeouts;
        StepRecord.Builder record = StepRecord.builder(step, 0);
        double[] scores = all.stream().mapToDouble(Rollout::score).toArray();
        double rewardMean = mean(scores);
        record.rewardMean(rewardMean)
                .rewardStd(std(scores))
                .put("reward/accuracy", all.stream().filter(Rollout::correct).count() / (double) all.size())
                .responseLengthMean(
                        all.stream().mapToInt(Rollout::length).average().orElse(0))
                .put(
                        "response_length/clip_ratio",
                        all.stream().filter(Rollout::truncated).count() / (double) all.size())
                .rolloutTokensPerSecond(generated / Math.max(1e-9, rolloutSeconds))
                .put("reward/errors", stepErrors)
                .put("reward/timeouts", stepTimeouts);
        if (spec.dynamicSampling()) {
            record.put("dynamic_sampling/rounds", rounds)
                    .put("dynamic_sampling/kept_groups", kept.size() / r.groupSize());
        }
        if (kept.isEmpty()) {
            LOG.warn("step {}: every group had equal rewards after {} generation rounds; no update", step, rounds);
            metrics.skippedSteps().increment();
            skippedSteps++;
            return new StepResult(record.skipped("no reward variance").lr(updater.currentLr()), rewardMean);
        }
        // --- experience
        Prepared prepared = experience(kept, m, record);
        Experience exp = prepared.experience();
        // --- update
        long tUpd = System.nanoTime();
        UpdateStats stats = metrics.time(Phase.UPDATE, () -> updater.update(exp, kl.beta(), m));
        generator.weightsUpdated(policy);
        double valueLoss = Double.NaN;
        if (critic != null) {
            valueLoss = metrics.time(Phase.UPDATE, () -> critic.update(exp, m));
            record.put("loss/value", valueLoss);
        }
        double updateSeconds = (System.nanoTime() - tUpd) / 1e9;
        long trainTokens = (long) exp.batch().rows() * exp.batch().sequenceLength() * spec.epochs();
        metrics.trainTokens().increment(trainTokens);
        tokensTotal += generated + trainTokens;
        // the KL the adaptive controller follows: measured on the rollout when it is in the reward, during the
        // update when it is in the loss
        double observedKl = spec.klInReward() ? prepared.rewardKl() : stats.kl();
        if (Double.isFinite(observedKl) && spec.adaptiveKl()) {
            kl = kl.update(observedKl, exp.rows());
        }
        if (stats.skipped() > 0) {
            metrics.skippedSteps().increment(stats.skipped());
            skippedSteps += stats.skipped();
            record.put("update/skipped_optimizer_steps", stats.skipped());
        }
        record.policyLoss(stats.loss())
                .entropy(stats.entropy())
                .clipfrac(stats.clipFraction())
                .put("clipfrac/low", stats.clipFractionLow())
                .put("clipfrac/high", stats.clipFractionHigh())
                .put("approx_kl", stats.approxKl())
                .gradNorm(stats.gradNorm())
                .lr(updater.currentLr())
                .trainTokensPerSecond(trainTokens / Math.max(1e-9, updateSeconds));
        if (spec.klCoef() > 0 && !spec.klInReward()) {
            record.kl(stats.kl()).put("kl/beta", kl.beta());
        }
        return new StepResult(record, rewardMean);
    }

    /** A step's experience and the mean in-reward KL measured on it (NaN without a KL in the reward). */
    private record Prepared(Experience experience, double rewardKl) {}

    /** Scores π_old / π_ref / values as the algorithm needs and computes advantages. */
    private Prepared experience(List<Rollout> rollouts, NDManager m, StepRecord.Builder record) {
        List<long[]> prompts = new ArrayList<>(), completions = new ArrayList<>();
        float[] scores = new float[rollouts.size()];
        long[] groups = new long[rollouts.size()];
        Map<Integer, Integer> groupIds = new HashMap<>();
        for (int i = 0; i < rollouts.size(); i++) {
            Rollout ro = rollouts.get(i);
            prompts.add(ro.promptIds());
            completions.add(ro.completion().tokens());
            scores[i] = (float) ro.score();
            groups[i] = groupIds.computeIfAbsent(ro.group(), g -> groupIds.size());
        }
        SequenceBatch batch =
                new SequenceBatch(prompts, completions, ctx.tokenizer().padId());
        NDArray mask = batch.completionMask(m);
        double temperature = config.rollout().temperature();
        boolean klInReward = spec.klCoef() > 0 && spec.klInReward();
        NDArray old = null, ref = null, values = null, returns = null;
        if (updater.needsOldLogProbs() || klInReward) {
            old = metrics.time(
                    Phase.OLD_LOGPROBS,
                    () -> scorer.score(batch, temperature, false, m).logp());
        }
        if (referenceScorer != null) {
            ref = metrics.time(
                    Phase.REFERENCE,
                    () -> referenceScorer.score(batch, temperature, false, m).logp());
        }
        NDArray klPenalty = null;
        double rewardKl = Double.NaN;
        if (klInReward) {
            NDArray k = spec.klEstimator().value().estimate(old, ref);
            klPenalty = k.mul(Constant.like(k, kl.beta()));
            rewardKl = Scalars.value(dev.alpharl.algorithms.Diagnostics.maskedMean(k, mask));
            record.kl(rewardKl).put("kl/beta", kl.beta());
        }
        NDArray scoreArray = m.create(scores);
        if (spec.usesCritic()) {
            values = critic.values(batch, m);
        }
        AdvantageEstimator.Result estimated = spec.advantage()
                .value()
                .estimate(new AdvantageEstimator.Input(
                        scoreArray, GroupIndex.of(groups), mask, klPenalty, values, spec.advantageOptions()));
        NDArray advantages = estimated.advantages();
        returns = estimated.returns();
        return new Prepared(
                new Experience(
                        batch,
                        mask,
                        advantages,
                        updater.needsOldLogProbs() ? old : null,
                        spec.klCoef() > 0 && !spec.klInReward() ? ref : null,
                        values,
                        returns),
                rewardKl);
    }

    private static boolean varies(List<Rollout> group) {
        double first = group.get(0).score();
        return group.stream().anyMatch(r -> r.score() != first);
    }

    /**
     * Evaluates {@code model} (the policy, or a model built from it such as AlphaRL's prediction) with
     * {@code with}, timed as the step's evaluation.
     */
    @Override
    public EvalResult evaluate(Evaluator with, QwenModel model) {
        if (model.precision() != policy.precision()
                || !model.manager().getDevice().equals(policy.manager().getDevice())) {
            // every model of a run is built with the run's precision and device (QwenModel#withWeights)
            throw new IllegalStateException(
                    "a " + model.precision() + " model on " + model.manager().getDevice() + " in a run of "
                            + policy.precision() + " on " + policy.manager().getDevice());
        }
        RolloutEngine g = model == policy
                ? generator
                : RolloutEngine.local(model, config.rollout().maxNumSeqs());
        try (StepScope scope = StepScope.open(ctx.manager())) {
            return metrics.time(Phase.EVAL, () -> with.evaluate(g, scope.manager()));
        }
    }

    // ---- checkpoints

    /**
     * The loop's own checkpoint entry: where the run is and its running totals, so that a resumed run's summary and
     * wall time cover the whole run.
     */
    record Progress(
            long step, double elapsedSeconds, long tokens, long skippedSteps, long rewardErrors, long rewardTimeouts) {}

    /** The KL controller's state: its current β. */
    record KlState(double beta) {}

    /** Everything a checkpoint holds besides the policy weights, each part saving and restoring itself. */
    private List<Checkpointable> stateParts() {
        List<Checkpointable> parts = new ArrayList<>();
        parts.add(Checkpointable.json(
                "progress",
                Progress.class,
                () -> new Progress(step, elapsedBefore, tokensTotal, skippedSteps, rewardErrors, rewardTimeouts),
                p -> {
                    step = p.step();
                    elapsedBefore = p.elapsedSeconds();
                    tokensTotal = p.tokens();
                    skippedSteps = p.skippedSteps();
                    rewardErrors = p.rewardErrors();
                    rewardTimeouts = p.rewardTimeouts();
                }));
        parts.add(optimizer);
        parts.add(Checkpointable.json("data", EpochSampler.Cursor.class, sampler::cursor, sampler::restore));
        parts.add(Checkpointable.json(
                "kl", KlState.class, () -> new KlState(kl.beta()), k -> kl = klController(k.beta())));
        if (critic != null) {
            parts.add(critic);
        }
        parts.addAll(callbacks);
        return parts;
    }

    private KlController klController(double beta) {
        return spec.adaptiveKl()
                ? KlController.adaptive(
                        beta,
                        config.algorithm().kl().target(),
                        config.algorithm().kl().horizon())
                : KlController.fixed(beta);
    }

    @Override
    public void saveCheckpoint() {
        if (checkpointedStep == step) {
            return;
        }
        Path dir = metrics.time(
                Phase.CHECKPOINT,
                () -> TrainerCheckpoint.save(
                        runDir,
                        step,
                        into -> PolicyFiles.save(policy, into, ctx.modelDir(), baseModelName()),
                        stateParts(),
                        config.trainer().keepCheckpoints()));
        checkpointedStep = step;
        LOG.info("checkpoint {}", dir);
    }

    /** The base model an adapter names: model.path as configured. */
    private String baseModelName() {
        return config.model().path().toString();
    }

    private void restore(Path checkpoint) {
        PolicyFiles.restore(policy, checkpoint, ctx.manager());
        generator.weightsUpdated(policy);
        try {
            TrainerCheckpoint.restore(checkpoint, stateParts());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- end of run

    private void finish(boolean stoppedByCallback) throws IOException {
        if (!stoppedByCallback) {
            PolicyFiles.save(policy, runDir.resolve("final"), ctx.modelDir(), baseModelName());
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("steps", step);
        summary.put("wall_time_s", elapsedBefore);
        summary.put("tokens", tokensTotal);
        summary.put("algorithm", spec.name().name().toLowerCase(java.util.Locale.ROOT));
        summary.put("skipped_steps", skippedSteps);
        summary.put("reward_errors", rewardErrors);
        summary.put("reward_timeouts", rewardTimeouts);
        RunEnd end = new RunEnd(step, stoppedByCallback, summary);
        for (TrainingCallback c : callbacks) {
            c.onEnd(end);
        }
        JSON.writeValue(runDir.resolve("summary.json").toFile(), summary);
        LOG.info(
                "done: {} steps in {} s; final eval {}; run directory {}",
                step,
                fmt(elapsedBefore),
                summary.get("final_eval"),
                runDir);
        finished = true;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return x.length == 0 ? Double.NaN : s / x.length;
    }

    private static double std(double[] x) {
        double mu = mean(x), s = 0;
        for (double v : x) {
            s += (v - mu) * (v - mu);
        }
        return x.length < 2 ? 0 : Math.sqrt(s / (x.length - 1));
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    /** Whether {@link #run} finished the run (wrote summary.json) rather than stopping on request. */
    public boolean finished() {
        return finished;
    }

    @Override
    public QwenModel policy() {
        return policy;
    }

    @Override
    public long step() {
        return step;
    }

    @Override
    public Path runDir() {
        return runDir;
    }

    @Override
    public boolean stopRequested() {
        return stopRequested;
    }

    /** The frozen reference model (KL on), or null. */
    QwenModel reference() {
        return reference;
    }

    /** The PPO critic, or null. */
    Critic critic() {
        return critic;
    }

    @Override
    public TrainingMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        for (TrainingCallback c : callbacks) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing a training callback failed: {}", e.toString());
            }
        }
        metrics.close();
        optimizer.close();
        if (critic != null) {
            critic.close();
        }
        if (reference != null) {
            reference.close();
        }
        policy.close();
    }
}
