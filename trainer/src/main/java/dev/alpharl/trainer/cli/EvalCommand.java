package dev.alpharl.trainer.cli;

import dev.alpharl.trainer.config.ConfigException;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.model.BuiltinModels;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.rl.TrainingContext;
import dev.alpharl.trainer.rollout.RolloutEngine;
import dev.alpharl.trainer.tensor.StepScope;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eval}: mean@n accuracy (and pass@n) of any model directory on the config's eval set, with the config's templates. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "mean@n accuracy of a model directory on the config's eval set.")
final class EvalCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "Hugging Face model directory, or builtin:NAME (e.g. builtin:tiny-qwen).")
    Path model;

    @Option(names = "--n", paramLabel = "N", description = "Samples per prompt (default: rollout.eval-n).")
    Integer n;

    @Mixin
    ConfigSource source;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainConfig config = source.loadTrainConfig();
        try (TrainingContext ctx = TrainingContext.open(config)) {
            if (ctx.eval().isEmpty()) {
                throw new ConfigException("data.eval: the config has no eval set");
            }
            try (QwenModel qwen = ctx.loadWeights(BuiltinModels.resolve(model, "--model"))) {
                RolloutEngine generator = RolloutEngine.local(qwen);
                Evaluator evaluator = ctx.evaluator(n);
                EvalResult r;
                try (StepScope scope = StepScope.open(ctx.manager())) {
                    r = evaluator.evaluate(generator, scope.manager());
                }
                spec.commandLine()
                        .getOut()
                        .printf(
                                Locale.ROOT,
                                "{\"accuracy\": %.6f, \"n\": %d, \"correct\": %d, \"greedy_accuracy\": %.6f, "
                                        + "\"pass_at_n\": %.6f, \"stderr\": %.6f, \"mean_length\": %.2f, \"truncated_fraction\": %.4f}%n",
                                r.accuracy(),
                                r.graded(),
                                r.correct(),
                                r.greedyAccuracy(),
                                r.passAtN(),
                                r.standardError(),
                                r.meanLength(),
                                r.truncatedFraction());
                spec.commandLine().getOut().flush();
            }
        }
        return ExitCodes.OK;
    }
}
