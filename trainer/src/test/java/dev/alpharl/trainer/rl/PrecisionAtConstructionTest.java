package dev.alpharl.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alpharl.trainer.app.TrainingRun;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.model.QwenModel;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * model.dtype is fixed when each model is built: in a bf16 run the policy, the reference, the critic's trunk and
 * every model AlphaRL builds and evaluates (its candidates, checked by {@link RlTrainer#evaluate}) compute in bf16;
 * none is an fp32 model.
 */
class PrecisionAtConstructionTest {

    @BeforeAll
    static void locateModel() {
        RlTrainerTest.locateModel();
    }

    @Test
    void everyModelOfABf16RunComputesInBf16(@TempDir Path tmp) throws Exception {
        TrainConfig config = RlTrainerTest.config(
                tmp,
                "bf16",
                "--model.dtype=bfloat16",
                "--algorithm.name=ppo",
                "--algorithm.kl.coef=0.01",
                "--trainer.total-steps=4",
                "--trainer.save-every=0",
                "--trainer.eval-every=2",
                "--alpharl.window=2",
                "--alpharl.snapshot-every=1",
                "--alpharl.after-jump=stop");
        try (TrainingContext ctx = TrainingContext.open(config);
                RlTrainer trainer = TrainingRun.create(ctx)) {
            assertThat(trainer.policy().precision()).isEqualTo(QwenModel.Precision.BF16);
            assertThat(trainer.reference().precision()).isEqualTo(QwenModel.Precision.BF16);
            assertThat(trainer.critic().trunk().precision()).isEqualTo(QwenModel.Precision.BF16);
            // the jump builds the predicted model and evaluates it: a model of another precision would throw there
            trainer.run();
            assertThat(trainer.finished()).isTrue();
        }
        assertThat(config.run().runDir().resolve("alpharl/predicted/model.safetensors"))
                .exists();
    }
}
