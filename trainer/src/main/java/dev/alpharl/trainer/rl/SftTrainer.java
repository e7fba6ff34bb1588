package dev.alpharl.trainer.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.datasets.EpochSampler;
import dev.alpharl.datasets.PromptSample;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.metrics.MetricsJsonl;
import dev.alpharl.trainer.metrics.StepRecord;
import dev.alpharl.trainer.model.LogProbScorer;
import dev.alpharl.trainer.model.PolicyFiles;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.SequenceBatch;
import dev.alpharl.trainer.optim.AdamW;
import dev.alpharl.trainer.optim.GradientClipping;
import dev.alpharl.trainer.optim.LrSchedule;
import dev.alpharl.trainer.optim.ParamGroup;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.tensor.StepScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Supervised fine-tuning on (prompt, target) pairs — the {@code sft} command, used to give small base models a
 * verifiable skill before RL. The target of a sample is its {@code solution} field when it has one (a worked chain,
 * e.g. the scratchpad-addition task's), else its gold answer, followed by the end-of-sequence token, so the model
 * learns to answer and stop. Loss: token-mean negative log-likelihood of the target tokens,
 * <pre>
 *   L = −Σ_{i,t} m_{i,t} log π(y_{i,t} | x_i, y_{i,&lt;t}) / Σ m
 * </pre>
 * over a batch of rollout.prompts-per-step samples (micro-batched), AdamW with optim.*, trainer.total-steps steps;
 * evaluation (greedy or mean@n, as for RL) every trainer.eval-every steps; the result is written to
 * {@code <run dir>/final/} in Hugging Face layout with the tokenizer files, or with model.lora as a PEFT adapter
 * (only the adapters train).
 */
public final class SftTrainer {

    private static final Logger LOG = LogManager.getLogger(SftTrainer.class);

    private final TrainingContext ctx;
    private final TrainConfig config;

    public SftTrainer(TrainingContext ctx) {
        this.ctx = ctx;
        this.config = ctx.config();
    }

    /** Trains and returns the directory of the final model. */
    public Path run() throws IOException {
        Path runDir = config.run().runDir();
        OutputDirectories.requireWritable(runDir, "run.output-dir");
        Files.writeString(runDir.resolve("config.yaml"), config.toYaml());
        var o = config.optim();
        QwenModel model = ctx.loadPolicy();
        model.setTrainable(true);
        long eos = endOfTarget();
        try (AdamW optimizer = new AdamW(
                        ParamGroup.decayMatricesOnly(model.trainableWeights(), o.weightDecay()),
                        o.betas().get(0),
                        o.betas().get(1),
                        o.eps(),
                        ctx.manager());
                MetricsJsonl sink = MetricsJsonl.create(runDir.resolve("metrics.jsonl"))) {
            LrSchedule schedule = new LrSchedule(
                    LrSchedule.Kind.parse(o.schedule().name()),
                    o.lr(),
                    o.warmupSteps(),
                    config.trainer().totalSteps(),
                    o.minLrRatio());
            LogProbScorer scorer = new LogProbScorer(
                    model,
                    LogProbScorer.DEFAULT_CHUNK_ELEMENTS,
                    config.trainer().activationCheckpointing());
            EpochSampler sampler = new EpochSampler(
                    ctx.train(), config.run().seed(), config.data().shuffle());
            Evaluator evaluator = ctx.evaluator(null);
            RolloutEngine generator = RolloutEngine.local(model);
            long started = System.nanoTime();
            for (int step = 1; step <= config.trainer().totalSteps(); step++) {
                List<PromptSample> samples = sampler.next(config.rollout().promptsPerStep());
                double lr = schedule.lr(optimizer.steps());
                double loss;
                double norm;
                try (StepScope scope = StepScope.open(ctx.manager())) {
                    SequenceBatch batch = batch(samples, eos);
                    loss = backward(scorer, batch, step, scope.manager());
                    norm = GradientClipping.clip(optimizer.weights(), o.gradClip());
                    if (Double.isFinite(norm) && Double.isFinite(loss)) {
                        optimizer.step(lr);
                    } else {
                        optimizer.zeroGradients();
                        LOG.warn("sft step {} skipped: non-finite loss {} or gradient norm {}", step, loss, norm);
                    }
                }
                double elapsed = (System.nanoTime() - started) / 1e9;
                StepRecord.Builder record = StepRecord.builder(step, elapsed)
                        .put("loss/sft", loss)
                        .gradNorm(norm)
                        .lr(lr);
                boolean evalNow = evaluator != null
                        && config.trainer().evalEvery() > 0
                        && (step % config.trainer().evalEvery() == 0
                                || step == config.trainer().totalSteps());
                if (evalNow) {
                    try (StepScope scope = StepScope.open(ctx.manager())) {
                        EvalResult e = evaluator.evaluate(generator, scope.manager());
                        record.eval(e.accuracy(), e.graded());
                    }
                }
                StepRecord line = record.build();
                sink.append(line);
                if (step % config.metrics().logEvery() == 0 || evalNow) {
                    LOG.info(String.format(
                            Locale.ROOT,
                            "sft step %d/%d | loss %.4f | grad %.3f | lr %.2e%s",
                            step,
                            config.trainer().totalSteps(),
                            loss,
                            norm,
                            lr,
                            evalNow
                                    ? String.format(Locale.ROOT, " | eval %.4f", line.number(StepRecord.EVAL_ACCURACY))
                                    : ""));
                }
            }
        }
        Path finalDir = runDir.resolve("final");
        PolicyFiles.save(model, finalDir, ctx.modelDir(), config.model().path().toString());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("steps", config.trainer().totalSteps());
        summary.put("final_model", finalDir.toString());
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(runDir.resolve("summary.json").toFile(), summary);
        model.close();
        LOG.info("sft done: model written to {}", finalDir);
        return finalDir;
    }

    /**
     * The token that ends a target: {@code <|im_end|>} under a chat template (it closes the assistant turn), else the
     * tokenizer's own end-of-sequence id (the smallest, when generation_config lists several).
     */
    private long endOfTarget() {
        if (ctx.encoder().chatTemplate().isChat()) {
            var imEnd = ctx.tokenizer().idOf(dev.alpharl.trainer.model.QwenTokenizer.IM_END);
            if (imEnd.isPresent()) {
                return imEnd.getAsLong();
            }
        }
        return ctx.tokenizer().stopIds().stream()
                .sorted()
                .findFirst()
                .orElseThrow(() -> new dev.alpharl.trainer.config.ConfigException(
                        ctx.tokenizer().directory() + ": the tokenizer defines no end-of-sequence token (eos_token)"));
    }

    /** Prompts encoded as for RL; targets = tokenized solution (or gold answer) + end-of-sequence. */
    private SequenceBatch batch(List<PromptSample> samples, long eos) {
        List<long[]> prompts = new ArrayList<>(), targets = new ArrayList<>();
        for (PromptSample s : samples) {
            prompts.add(ctx.encoder().encode(s));
            long[] answer = ctx.tokenizer().encode(target(s));
            long[] target = java.util.Arrays.copyOf(answer, answer.length + 1);
            target[answer.length] = eos;
            targets.add(target);
        }
        return new SequenceBatch(prompts, targets, ctx.tokenizer().padId());
    }

    /** What the model learns to write for a sample: its {@code solution} field when it has one, else its answer. */
    static String target(PromptSample s) {
        return s.fields().get(PromptSample.SOLUTION) instanceof String solution ? solution : s.answer();
    }

    /** Accumulates the token-mean NLL gradient over micro-batches and returns the loss. */
    private double backward(LogProbScorer scorer, SequenceBatch batch, int step, NDManager m) {
        double tokens = batch.completionTokens();
        double[] loss = {0};
        int micro = config.trainer().microBatchSize();
        for (int from = 0; from < batch.rows(); from += micro) {
            SequenceBatch part = batch.slice(from, Math.min(batch.rows(), from + micro));
            NDArray mask = part.completionMask(m);
            try (StepScope scope = StepScope.open(m);
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                scorer.backward(
                        part,
                        1.0,
                        LogProbScorer.Entropy.NONE,
                        (a, b, s) -> {
                            NDArray chunkSum =
                                    s.logp().mul(mask.get(a + ":" + b)).sum();
                            NDArray chunkLoss = chunkSum.neg().div(Constant.like(chunkSum, tokens));
                            loss[0] += chunkLoss.getFloat();
                            return chunkLoss;
                        },
                        gc,
                        scope.manager(),
                        dev.alpharl.datasets.SplitMix64.derive(step, from).nextLong());
            }
        }
        return loss[0];
    }
}
