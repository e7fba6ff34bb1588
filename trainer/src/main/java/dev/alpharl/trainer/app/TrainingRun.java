package dev.alpharl.trainer.app;

import dev.alpharl.trainer.alpharl.AlphaRlHook;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.eval.Evaluator;
import dev.alpharl.trainer.io.OutputDirectories;
import dev.alpharl.trainer.model.PolicyFiles;
import dev.alpharl.trainer.rl.RlTrainer;
import dev.alpharl.trainer.rl.RunEnd;
import dev.alpharl.trainer.rl.TrainingCallback;
import dev.alpharl.trainer.rl.TrainingContext;
import java.io.IOException;

/**
 * Assembles a training run: the RL loop and the callbacks its config asks for — the metrics file, the progress
 * line, evaluation, AlphaRL, checkpoints. The loop knows none of them; this is the one place that wires them (the
 * {@code train} command, the default job and the tests all build runs here).
 */
public final class TrainingRun {

    private TrainingRun() {}

    /** The loop for {@code ctx}'s config with its callbacks registered (the caller closes it). */
    public static RlTrainer create(TrainingContext ctx) throws IOException {
        TrainConfig config = ctx.config();
        // before the models load: an output directory that cannot be written is bad input, not a late failure
        OutputDirectories.requireWritable(config.run().runDir(), "run.output-dir");
        RlTrainer trainer = new RlTrainer(ctx);
        try {
            Evaluator evaluator = ctx.evaluator(null);
            // order matters: the metrics file is open before step 0's evaluation line, the evaluation is attached
            // to a step before AlphaRL sees it, and a checkpoint is written after its step's metrics line
            trainer.addCallback(new MetricsFileCallback());
            trainer.addCallback(new ProgressCallback(
                    config.trainer().totalSteps(), config.metrics().logEvery()));
            trainer.addCallback(
                    new EvaluationCallback(evaluator, config.trainer().evalEvery()));
            if (config.alpharl().enabled()) {
                Evaluator validator = config.alpharl().validate() ? ctx.validator() : null;
                trainer.addCallback(new AlphaRlHook(
                        config.alpharl(),
                        config.trainer().totalSteps(),
                        config.run().runDir(),
                        () -> ctx.loadModel(ctx.modelDir()),
                        evaluator == null ? null : model -> trainer.evaluate(evaluator, model),
                        validator == null ? null : model -> trainer.evaluate(validator, model),
                        // as the run writes its policy: HF layout, or a LoRA policy's adapter
                        (model, dir) -> PolicyFiles.save(
                                model,
                                dir,
                                ctx.modelDir(),
                                config.model().path().toString()),
                        config.model().path().toString(),
                        ctx.manager()));
            } else {
                // summary.json always has the key: null says "a full run" to compare and to users' scripts
                trainer.addCallback(new TrainingCallback() {
                    @Override
                    public void onEnd(RunEnd end) {
                        end.summary().put(AlphaRlHook.DIR, null);
                    }
                });
            }
            trainer.addCallback(new CheckpointCallback(config.trainer().saveEvery()));
            return trainer;
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
    }
}
