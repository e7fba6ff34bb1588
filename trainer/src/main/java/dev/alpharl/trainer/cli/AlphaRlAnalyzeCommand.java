package dev.alpharl.trainer.cli;

import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.alpharl.IntervalRewards;
import dev.alpharl.trainer.alpharl.Rank1;
import dev.alpharl.trainer.alpharl.Rank1Analysis;
import dev.alpharl.trainer.alpharl.Rank1AnalysisReport;
import dev.alpharl.trainer.alpharl.Rank1AnalysisWriter;
import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.model.BuiltinModels;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.rl.TrainingContext;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alpharl analyze}: rank-1 structure of an RL run's updates (energy, direction stability, in- and
 * out-of-sample linearity on the window's and the final direction beside null controls, coherence of successive
 * increments) and, with an evaluation config, y = accuracy, the oracle-y* inversion and the recovery of the final
 * gain by rank-k reconstructions beside a random control; with the run's metrics, y = rollout reward as well.
 * Writes {@code analysis.json} and {@code analysis.md}.
 */
@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        description = "Analyse the rank-1 structure of an RL run's weight updates (ALPHARL.md §3, §11).")
final class AlphaRlAnalyzeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--base",
            required = true,
            paramLabel = "DIR",
            description = "The pre-RL model W_0 (HF directory, or builtin:NAME).")
    Path base;

    @Option(
            names = "--checkpoints",
            required = true,
            split = ",",
            paramLabel = "D1,D2,...",
            description = "The run's checkpoints in step order (HF directories), at least 3.")
    List<Path> checkpoints;

    @Option(
            names = "--eval-config",
            paramLabel = "FILE",
            description = "Training config whose eval section scores each model (enables recovery ratios).")
    Path evalConfig;

    @Option(
            names = "--metrics",
            paramLabel = "FILE",
            description = "The run's metrics.jsonl: adds y = rollout reward (mean reward/mean since the previous "
                    + "checkpoint) to Law 2.")
    Path metrics;

    @Option(
            names = "--out",
            defaultValue = "alpharl-analysis",
            paramLabel = "DIR",
            description = "Output directory for analysis.json and analysis.md (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        AlphaRlInputs in = new AlphaRlInputs(spec.commandLine());
        base = BuiltinModels.resolve(base, "--base");
        in.requireRun(base, checkpoints, 3, " (2 to fit, 1 held out)");
        List<Long> steps = in.steps(checkpoints, null);
        double[] rewards = metrics == null ? null : rewards(in, steps);
        OutputDirectories.requireWritable(out, "--out");
        Rank1AnalysisReport report;
        TorchRuntime.init();
        TrainingContext ctx = evalConfig == null
                ? null
                : TrainingContext.open(ConfigLoader.load(TrainConfig.class, evalConfig.toString(), List.of()));
        Evaluator evaluator = ctx == null ? null : ctx.evaluator(null);
        if (ctx != null && evaluator == null) {
            ctx.close();
            throw in.bad("--eval-config " + evalConfig + ": the config has no data.eval set to score models with");
        }
        ToDoubleFunction<QwenModel> accuracy = evaluator == null
                ? null
                : model -> {
                    try (StepScope scope = StepScope.open(model.manager())) {
                        return evaluator
                                .evaluate(RolloutEngine.local(model), scope.manager())
                                .accuracy();
                    }
                };
        try (NDManager root = NDManager.newBaseManager();
                QwenModel w0 = in.load(base, root)) {
            Rank1Analysis.Checkpoints source = new Rank1Analysis.Checkpoints() {
                @Override
                public int size() {
                    return checkpoints.size();
                }

                @Override
                public long step(int index) {
                    return steps.get(index);
                }

                @Override
                public QwenModel load(int index, NDManager manager) {
                    return in.loadLike(checkpoints.get(index), w0, manager);
                }
            };
            report = Rank1Analysis.analyze(
                    w0, source, accuracy, rewards, Rank1Analysis.Options.DEFAULTS, new Rank1(), root);
        } finally {
            if (ctx != null) {
                ctx.close();
            }
        }
        Rank1AnalysisWriter.write(report, out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(
                Locale.ROOT,
                "analysis of %d checkpoints written to %s (median energy %.3f, c out-of-sample R² %.3f "
                        + "vs random walk %.3f, increments %s, laws %s)%n",
                checkpoints.size(),
                out,
                report.summary().medianEnergyFraction(),
                report.summary().medianCoefficientR2OutOfSample(),
                report.summary().medianRandomWalkR2OutOfSample(),
                report.coherence().regime(),
                report.verdict().passes() ? "pass" : "fail");
        o.flush();
        return ExitCodes.OK;
    }

    /** Each checkpoint's interval-mean rollout reward from --metrics. */
    private double[] rewards(AlphaRlInputs in, List<Long> steps) throws IOException {
        if (!Files.isRegularFile(metrics)) {
            throw in.bad("--metrics: " + metrics + " is not a file (expected a run's metrics.jsonl)");
        }
        try {
            return IntervalRewards.means(
                    IntervalRewards.read(metrics),
                    steps.stream().mapToLong(Long::longValue).toArray());
        } catch (IllegalArgumentException e) {
            throw in.bad("--metrics " + metrics + ": " + e.getMessage());
        }
    }
}
