package dev.alpharl.trainer.rl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.alpharl.trainer.config.ConfigLoader;
import dev.alpharl.trainer.config.TrainConfig;
import dev.alpharl.trainer.model.LogProbScorer;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.SequenceBatch;
import dev.alpharl.trainer.optim.AdamW;
import dev.alpharl.trainer.optim.LrSchedule;
import dev.alpharl.trainer.optim.ParamGroup;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PolicyUpdaterTest {

    private NDManager m;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    static AlgorithmSpec spec(String overrides) {
        TrainConfig c = ConfigLoader.parse(
                TrainConfig.class, "model: {path: m}\ndata: {train: {path: t}}\n" + overrides, "t.yaml", List.of());
        return AlgorithmSpec.resolve(c.algorithm(), c.rollout());
    }

    private final SequenceBatch batch = new SequenceBatch(
            List.of(new long[] {3, 8, 1}, new long[] {5, 9}), List.of(new long[] {12, 30, 2}, new long[] {7, 7}), 0);

    private float[] sequenceLogp(QwenModel model) {
        LogProbScorer.Scores s = new LogProbScorer(model).score(batch, 1.0, false, m);
        NDArray perRow = s.logp().mul(batch.completionMask(m)).sum(new int[] {1});
        return perRow.toFloatArray();
    }

    @Test
    void positiveAdvantageRaisesAndNegativeLowersTheSequencesProbability() {
        QwenModel model =
                QwenModel.random(QwenConfig.tiny("qwen3", 32, 64, 2, 4, 2, 8, 50, true), 5, DataType.FLOAT32, m);
        model.setTrainable(true);
        float[] before = sequenceLogp(model);
        AdamW opt = new AdamW(ParamGroup.decayMatricesOnly(model.weights(), 0.0), 0.9, 0.999, 1e-8, m);
        AlgorithmSpec spec = spec("algorithm: {name: grpo}\n");
        PolicyUpdater updater = new PolicyUpdater(
                new LogProbScorer(model),
                opt,
                new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-3, 0, 10, 0),
                spec,
                1.0,
                8,
                0,
                1.0,
                2,
                3);
        NDArray mask = batch.completionMask(m);
        NDArray adv = m.create(new float[] {1f, 1f, 1f, -1f, -1f, 0f}, new ai.djl.ndarray.types.Shape(2, 3))
                .mul(mask);
        UpdateStats stats = updater.update(new Experience(batch, mask, adv, null, null, null, null), 0, m);
        float[] after = sequenceLogp(model);
        assertThat(after[0]).isGreaterThan(before[0]);
        assertThat(after[1]).isLessThan(before[1]);
        assertThat(stats.optimizerSteps()).isEqualTo(1);
        assertThat(stats.skipped()).isZero();
        // on-policy single update: ratio 1, nothing clipped, loss = −mean over sequences of mean token advantage
        assertThat(stats.clipFraction()).isZero();
        assertThat(stats.loss()).isCloseTo(-(1.0 + -1.0) / 2, org.assertj.core.api.Assertions.within(1e-6));
        opt.close();
    }

    @Test
    void presetsResolveToTheirDocumentedAxes() {
        AlgorithmSpec grpo = spec("algorithm: {name: grpo}\n");
        assertThat(grpo.describe())
                .contains("advantage grpo", "loss clip, clip [0.2, 0.2]", "aggregation seq-mean-token-mean", "KL off");
        AlgorithmSpec dapo = spec("algorithm: {name: dapo}\nrollout: {max-new-tokens: 40}\n");
        assertThat(dapo.clip().epsHigh()).isEqualTo(0.28);
        assertThat(dapo.dynamicSampling()).isTrue();
        assertThat(dapo.overlongBuffer()).isEqualTo(10);
        assertThat(dapo.aggregation().name()).isEqualTo("token-mean");
        AlgorithmSpec ppo = spec("algorithm: {name: ppo, kl: {coef: 0.01}}\n");
        assertThat(ppo.usesCritic()).isTrue();
        assertThat(ppo.klInReward()).isTrue();
        assertThat(ppo.klEstimator().name()).isEqualTo("k1");
        // a registered estimator is bound by its name, with no code in the trainer
        assertThat(spec("algorithm: {name: grpo, advantage: opo}\n").describe()).contains("advantage opo");
        AlgorithmSpec gspo = spec("algorithm: {name: gspo}\n");
        assertThat(gspo.clip().epsLow()).isEqualTo(3e-4);
        assertThat(gspo.clip().epsHigh()).isEqualTo(4e-4);
        AlgorithmSpec overridden =
                spec("algorithm: {name: grpo, aggregation: token-mean, clip-low: 0.1, dual-clip: 3}\n");
        assertThat(overridden.aggregation().name()).isEqualTo("token-mean");
        assertThat(overridden.clip().epsHigh()).isEqualTo(0.1);
        assertThat(overridden.clip().dualClipC()).isEqualTo(3.0);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> spec("algorithm: {name: grpo, kl: {coef: 0.1, in: reward}}\n"))
                .hasMessageContaining("algorithm.kl.in: reward needs a return-based advantage");
    }

    @Test
    void aNonFiniteLossSkipsTheUpdateAndLeavesTheWeightsUntouched() {
        QwenModel model =
                QwenModel.random(QwenConfig.tiny("qwen2", 32, 64, 2, 4, 2, 8, 50, true), 6, DataType.FLOAT32, m);
        model.setTrainable(true);
        Map<String, float[]> before = new java.util.HashMap<>();
        model.weights().forEach((n, w) -> before.put(n, w.toFloatArray()));
        AdamW opt = new AdamW(ParamGroup.decayMatricesOnly(model.weights(), 0.0), 0.9, 0.999, 1e-8, m);
        PolicyUpdater updater = new PolicyUpdater(
                new LogProbScorer(model),
                opt,
                new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-3, 0, 10, 0),
                spec("algorithm: {name: grpo}\n"),
                1.0,
                8,
                0,
                1.0,
                2,
                3);
        NDArray mask = batch.completionMask(m);
        NDArray adv = m.create(new float[] {Float.NaN, 1f, 1f, -1f, -1f, 0f}, new ai.djl.ndarray.types.Shape(2, 3))
                .mul(mask);
        UpdateStats stats = updater.update(new Experience(batch, mask, adv, null, null, null, null), 0, m);
        assertThat(stats.skipped()).isEqualTo(1);
        assertThat(opt.steps()).as("AdamW was not stepped").isZero();
        model.weights().forEach((n, w) -> assertThat(w.toFloatArray()).as(n).containsExactly(before.get(n)));
        opt.close();
    }
}
