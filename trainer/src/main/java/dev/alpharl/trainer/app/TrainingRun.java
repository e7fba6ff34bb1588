package dev.alpharl.trainer.app;

import dev.alpharl.trainer.alpharl.AlphaRlHook;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.rl.RlTrainer;
import dev.alpharl.trainer.rl.TrainingContext;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.io.IOException;

/**
 * Assembles a training run: the RL loop and the callbacks its config asks for. The loop knows nothing of AlphaRL;
 * this is the one place that wires it in (the {@code train} command, the default job and the tests all build runs
 * here).
 */
public final class TrainingRun {

    private TrainingRun() {}

    /** The loop for {@code ctx}'s config with its callbacks registered (the caller closes it). */
    public static RlTrainer create(TrainingContext ctx) throws IOException {
        // before the models load: an output directory that cannot be written is bad input, not a late failure
        OutputDirectories.requireWritable(ctx.config().run().runDir(), "run.output-dir");
        RlTrainer trainer = new RlTrainer(ctx);
        try {
            TrainConfig config = ctx.config();
            if (config.alpharl().enabled()) {
                Evaluator evaluator = trainer.evaluator();
                Evaluator validator = config.alpharl().validate() ? ctx.validator() : null;
                trainer.addCallback(new AlphaRlHook(
                        config.alpharl(),
                        config.trainer().totalSteps(),
                        config.run().runDir(),
                        () -> ctx.loadModel(ctx.modelDir()),
                        evaluator == null ? null : model -> trainer.evaluate(evaluator, model),
                        validator == null ? null : model -> trainer.evaluate(validator, model),
                        (model, dir) -> HfCheckpoint.save(model, dir, SafetensorsDtype.F32, ctx.modelDir()),
                        ctx.manager()));
            }
            return trainer;
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
    }
}
