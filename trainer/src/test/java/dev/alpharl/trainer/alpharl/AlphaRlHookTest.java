package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.config.AlphaRlConfig.AfterJump;
import dev.alpharl.trainer.config.AlphaRlConfig.Assembly;
import dev.alpharl.trainer.config.AlphaRlConfig.Method;
import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The AlphaRL/RELEX training hook driven by an emulated run W_t = W_0 + 0.1·t·D + noise ({@link PlantedTraining}). */
class AlphaRlHookTest {

    private static final double NOISE = 1e-6;
    private static final EvalResult EVAL = new EvalResult(0.75, 40, 30, 0.7, 12.5, 0.05, Double.NaN);

    @TempDir
    Path tmp;

    private NDManager m;
    private PlantedTraining run;
    private QwenModel policy;
    /** Weights of each model the evaluator was given. */
    private final List<Map<String, float[]>> evaluated = new ArrayList<>();

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
        run = new PlantedTraining(NOISE, m);
        policy = PlantedTraining.base(m);
    }

    @AfterEach
    void tearDown() {
        policy.close();
        m.close();
    }

    private static double rewardAt(double t) {
        return 0.2 + 0.02 * t;
    }

    private AlphaRlHook hook(AlphaRlConfig config, int totalSteps, Path runDir, boolean withEval) {
        Function<QwenModel, EvalResult> evaluator = model -> {
            Map<String, float[]> w = new LinkedHashMap<>();
            model.weights().forEach((name, a) -> w.put(name, a.toFloatArray()));
            evaluated.add(w);
            return EVAL;
        };
        return new AlphaRlHook(
                config,
                totalSteps,
                runDir,
                () -> PlantedTraining.base(m),
                withEval ? evaluator : null,
                null,
                (model, dir) -> HfCheckpoint.save(model, dir, SafetensorsDtype.F32, null),
                m);
    }

    private static AlphaRlConfig alphaRl(
            int window, int every, Integer targetStep, Double targetReward, Assembly assembly, AfterJump afterJump) {
        return new AlphaRlConfig(
                window, every, Method.ALPHARL, targetStep, targetReward, 1.0, assembly, afterJump, List.of(1.0), false);
    }

    /** Drives steps from..to; returns the value afterStep gave at the last one. */
    private boolean steps(AlphaRlHook hook, long from, long to) {
        boolean stop = false;
        for (long t = from; t <= to; t++) {
            run.advance(policy, t);
            stop = hook.afterStep(t, policy, rewardAt(t), null);
            if (t < to) {
                assertThat(stop).as("afterStep(%d)", t).isFalse();
            }
        }
        return stop;
    }

    private Map<String, float[]> loadWeights(Path dir) {
        try (QwenModel model = HfCheckpoint.load(dir, m)) {
            Map<String, float[]> w = new LinkedHashMap<>();
            model.weights().forEach((name, a) -> w.put(name, a.toFloatArray()));
            return w;
        }
    }

    private static double relativeError(float[] actual, float[] expected, float[] reference) {
        double err = 0, ref = 0;
        for (int i = 0; i < actual.length; i++) {
            err += Math.pow(actual[i] - expected[i], 2);
            ref += Math.pow(expected[i] - reference[i], 2);
        }
        return Math.sqrt(err / ref);
    }

    @Test
    void recordsOnTheScheduleWithinTheSnapshotMemoryBound() {
        try (AlphaRlHook hook =
                hook(alphaRl(7, 3, null, null, Assembly.REPLACE, AfterJump.STOP), 20, tmp.resolve("run"), false)) {
            assertThat(steps(hook, 1, 6)).isFalse();
            assertThat(hook.snapshotSteps()).containsExactly(3L, 6L);
            long perSnapshot = 0, tracked = 0;
            for (String name : policy.projectionMatrices()) {
                long[] s = policy.weights().get(name).getShape().getShape();
                perSnapshot += s[0] + s[1] + MatrixSnapshot.SCALARS;
                tracked += s[0] * s[1];
            }
            // O(d_out + d_in) per matrix per snapshot, far below the matrices themselves
            assertThat(hook.snapshotFloats()).isEqualTo(2 * perSnapshot);
            assertThat(perSnapshot).isLessThan(tracked / 4);
            run.advance(policy, 7);
            assertThat(hook.afterStep(7, policy, rewardAt(7), null)).isTrue();
            assertThat(hook.snapshotSteps()).containsExactly(3L, 6L, 7L);
            assertThat(hook.jumped()).isTrue();
            // after the jump the hook is inert
            run.advance(policy, 8);
            assertThat(hook.afterStep(8, policy, rewardAt(8), null)).isFalse();
            assertThat(hook.snapshotSteps()).containsExactly(3L, 6L, 7L);
        }
    }

    @Test
    void alphaRlJumpWritesTheIndependentlyComputedPredictionAsFinal() throws IOException {
        Path runDir = tmp.resolve("run");
        Map<String, Object> summary;
        Map<String, Object> finalEval;
        try (AlphaRlHook hook = hook(alphaRl(6, 2, null, null, Assembly.REPLACE, AfterJump.STOP), 15, runDir, true)) {
            assertThat(steps(hook, 1, 6)).isTrue();
            summary = hook.summary();
            finalEval = hook.finalEvaluation().toMap();
        }
        // the same prediction computed directly from the recorder and predictor; each snapshot's y is the mean
        // reward of the steps since the previous one (steps 1–2, 3–4, 5–6), i.e. the reward half a step earlier
        double[] s = {2, 4, 6};
        double[] y = {(rewardAt(1) + rewardAt(2)) / 2, (rewardAt(3) + rewardAt(4)) / 2, (rewardAt(5) + rewardAt(6)) / 2
        };
        assertThat(y[2]).isCloseTo(rewardAt(5.5), within(1e-12));
        double yStar = TargetReward.extrapolated(s, y, 15, 1.0);
        assertThat(yStar).isCloseTo(rewardAt(14.5), within(1e-12));
        Map<String, float[]> expected = new LinkedHashMap<>();
        try (NDManager scope = m.newSubManager();
                QwenModel w0 = PlantedTraining.base(scope);
                SnapshotRecorder recorder =
                        new SnapshotRecorder(w0.weights(), w0.projectionMatrices(), new Rank1(), scope)) {
            for (int i = 0; i < s.length; i++) {
                recorder.record((long) s[i], run.arraysAt((long) s[i], scope), y[i], null);
            }
            AlphaRlPredictor.Prediction p = AlphaRlPredictor.predict(
                    recorder.snapshots(),
                    w0.weights(),
                    run.arraysAt(6, scope),
                    new AlphaRlPredictor.Options(yStar, Assembly.REPLACE),
                    scope);
            p.weights().forEach((name, a) -> expected.put(name, a.toFloatArray()));
        }
        Map<String, float[]> predicted = loadWeights(runDir.resolve("alpharl/predicted"));
        Map<String, float[]> fin = loadWeights(runDir.resolve("final"));
        assertThat(predicted.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, w) -> {
            assertThat(predicted.get(name)).as(name).containsExactly(w);
            assertThat(fin.get(name)).as(name).containsExactly(w);
        });
        // the planted line: projections jump to W_0 + 0.1·15·D, everything else stays at W_6
        Map<String, float[]> w6 = run.weightsAt(6);
        for (String name : expected.keySet()) {
            if (policy.projectionMatrices().contains(name)) {
                assertThat(relativeError(predicted.get(name), run.planted(name, 15), run.base.get(name)))
                        .as(name)
                        .isLessThan(1e-3);
            } else {
                assertThat(predicted.get(name)).as(name).containsExactly(w6.get(name));
            }
        }
        // the evaluator saw the predicted model once, and its result is the run's final eval
        assertThat(evaluated).hasSize(1);
        expected.forEach((name, w) -> assertThat(evaluated.get(0).get(name)).containsExactly(w));
        Map<String, Object> evalMap = Map.of(
                "accuracy",
                0.75,
                "n",
                40,
                "correct",
                30,
                "greedy_accuracy",
                0.7,
                "mean_length",
                12.5,
                "truncated_fraction",
                0.05);
        assertThat(summary)
                .containsEntry("method", "alpharl")
                .containsEntry("target_step", 15L)
                .containsEntry("target_reward_source", "extrapolated")
                .containsEntry("y_source", "mean_reward")
                .containsEntry("matrices_total", 14)
                .containsEntry("matrices_excluded", 0)
                .containsEntry("snapshot_steps", List.of(2L, 4L, 6L))
                .containsEntry("predicted_eval", evalMap)
                .doesNotContainKey("final_eval");
        // the run stops at the jump, so the predicted model's evaluation is the run's final one
        assertThat(finalEval).isEqualTo(evalMap);
        assertThat((Double) summary.get("target_reward")).isCloseTo(yStar, within(1e-15));
        assertThat(summary).containsEntry("window_y", List.of(y[0], y[1], y[2]));
        JsonNode report = new ObjectMapper()
                .readTree(runDir.resolve("alpharl/fit-report.json").toFile());
        assertThat(report.path("targetReward").asDouble()).isCloseTo(yStar, within(1e-15));
        assertThat(report.path("predicted").asInt()).isEqualTo(14);
    }

    @Test
    void fitsOnEvalAccuracyWhenEverySnapshotHasOneAndCapsTheExtrapolatedTarget() {
        try (AlphaRlHook hook =
                hook(alphaRl(4, 2, null, null, Assembly.REPLACE, AfterJump.STOP), 10, tmp.resolve("run"), false)) {
            boolean stop = false;
            for (long t = 1; t <= 4; t++) {
                run.advance(policy, t);
                EvalResult eval = t % 2 == 0 ? new EvalResult(0.1 * t + 0.1, 50, 0, 0, 0, 0, Double.NaN) : null;
                stop = hook.afterStep(t, policy, rewardAt(t), eval);
            }
            assertThat(stop).isTrue();
            Map<String, Object> summary = hook.summary();
            // the line through (2, 0.3) and (4, 0.5) reaches 1.1 at step 10, above the reward cap 1.0
            assertThat(summary)
                    .containsEntry("y_source", "eval_accuracy")
                    .containsEntry("target_reward", 1.0)
                    .containsEntry("target_reward_source", "extrapolated");
            assertThat(summary.get("window_y")).isEqualTo(List.of(0.1 * 2 + 0.1, 0.1 * 4 + 0.1));
        }
    }

    @Test
    void baseAssemblyInvertsAtTheConfiguredTargetReward() {
        Path runDir = tmp.resolve("run");
        // y* = reward of step 15 although the target step is 30: the configured reward decides how far to go.
        // Each snapshot's y is the mean reward of its two steps, the reward half a step before the snapshot, so
        // the reward of step 15 is where the weights of step 15.5 are.
        try (AlphaRlHook hook =
                hook(alphaRl(6, 2, 30, rewardAt(15), Assembly.BASE, AfterJump.STOP), 40, runDir, false)) {
            assertThat(steps(hook, 1, 6)).isTrue();
            assertThat(hook.summary())
                    .containsEntry("target_reward_source", "config")
                    .containsEntry("target_step", 30L)
                    .doesNotContainKeys("final_eval", "predicted_eval");
        }
        Map<String, float[]> predicted = loadWeights(runDir.resolve("final"));
        predicted.forEach((name, w) -> {
            if (policy.projectionMatrices().contains(name)) {
                assertThat(relativeError(w, run.planted(name, 15.5), run.base.get(name)))
                        .as(name)
                        .isLessThan(1e-3);
            } else {
                assertThat(w).as(name).containsExactly(run.base.get(name));
            }
        });
    }

    @Test
    void relexExtrapolatesThePlantedLineToTheTargetStep() {
        Path runDir = tmp.resolve("run");
        try (AlphaRlHook hook = hook(
                new AlphaRlConfig(
                        5, 1, Method.RELEX, null, null, 1.0, Assembly.REPLACE, AfterJump.STOP, List.of(1.0), false),
                50,
                runDir,
                false)) {
            assertThat(steps(hook, 1, 5)).isTrue();
            assertThat(hook.snapshotFloats()).isZero();
            Map<String, Object> summary = hook.summary();
            assertThat(summary)
                    .containsEntry("method", "relex")
                    .containsEntry("target_step", 50L)
                    .containsEntry("snapshot_steps", List.of(1L, 2L, 3L, 4L, 5L))
                    .containsEntry("tensors_total", run.base.size())
                    .containsEntry("tensors_unchanged", 0L)
                    .doesNotContainKeys("final_eval", "predicted_eval", "target_reward");
            assertThat((Double) summary.get("mean_explained_variance")).isGreaterThan(0.999);
        }
        assertThat(runDir.resolve("alpharl/trajectory/delta-000004.safetensors"))
                .isRegularFile();
        Map<String, float[]> predicted = loadWeights(runDir.resolve("alpharl/predicted"));
        Map<String, float[]> fin = loadWeights(runDir.resolve("final"));
        assertThat(predicted.keySet()).containsExactlyElementsOf(run.base.keySet());
        predicted.forEach((name, w) -> {
            assertThat(relativeError(w, run.planted(name, 50), run.base.get(name)))
                    .as(name)
                    .isLessThan(1e-3);
            assertThat(fin.get(name)).containsExactly(w);
        });
    }

    @Test
    void continueModeWritesThePredictionIntoTheLivePolicy() {
        Path runDir = tmp.resolve("run");
        policy.setTrainable(true);
        Map<String, NDArray> live = new LinkedHashMap<>(policy.weights());
        int arrays = m.getManagedArrays().size();
        try (AlphaRlHook hook = hook(alphaRl(4, 1, 12, null, Assembly.REPLACE, AfterJump.CONTINUE), 20, runDir, true)) {
            assertThat(steps(hook, 1, 4)).isFalse();
            assertThat(hook.jumped()).isTrue();
            // the window state and the predicted model are freed at the jump
            assertThat(m.getManagedArrays()).hasSize(arrays);
            Map<String, float[]> predicted = loadWeights(runDir.resolve("alpharl/predicted"));
            policy.weights().forEach((name, w) -> {
                assertThat(w).as(name).isSameAs(live.get(name));
                assertThat(w.toFloatArray()).as(name).containsExactly(predicted.get(name));
            });
            assertThat(runDir.resolve("final")).doesNotExist();
            Map<String, Object> summary = hook.summary();
            assertThat(summary)
                    .containsKey("predicted_eval")
                    .doesNotContainKey("final_eval")
                    .containsEntry("after_jump", "continue");
            // training goes on from the prediction; the hook records nothing more
            assertThat(steps(hook, 5, 6)).isFalse();
            assertThat(hook.snapshotSteps()).containsExactly(1L, 2L, 3L, 4L);
            assertThat(evaluated).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void resumingInsideTheWindowReproducesTheUninterruptedRun(Method method) throws IOException {
        // snapshots at 2, 4, 6; the checkpoint at step 3 falls between two, holding one step of the next y
        AlphaRlConfig config =
                new AlphaRlConfig(6, 2, method, null, null, 1.0, Assembly.REPLACE, AfterJump.STOP, List.of(1.0), false);
        Path straight = tmp.resolve("straight");
        try (AlphaRlHook hook = hook(config, 18, straight, false)) {
            assertThat(steps(hook, 1, 6)).isTrue();
        }
        Path resumed = tmp.resolve("resumed");
        Path state = tmp.resolve("checkpoint/trainer-state");
        try (AlphaRlHook hook = hook(config, 18, resumed, false)) {
            steps(hook, 1, 3);
            hook.saveTo(state.resolve("alpharl"));
            steps(hook, 4, 5); // recorded, then lost when the run dies before its next checkpoint
        }
        Map<String, Object> summary;
        try (AlphaRlHook hook = hook(config, 18, resumed, false)) {
            hook.restoreFrom(state.resolve("alpharl"));
            assertThat(hook.snapshotSteps()).containsExactly(2L);
            assertThat(steps(hook, 4, 6)).isTrue();
            summary = hook.summary();
        }
        assertThat(summary.get("snapshot_steps")).isEqualTo(List.of(2L, 4L, 6L));
        assertThat(Files.readString(resumed.resolve("alpharl/fit-report.json")))
                .isEqualTo(Files.readString(straight.resolve("alpharl/fit-report.json")));
        Map<String, float[]> a = loadWeights(straight.resolve("final"));
        Map<String, float[]> b = loadWeights(resumed.resolve("final"));
        a.forEach((name, w) -> assertThat(b.get(name)).as(name).containsExactly(w));
        if (method == Method.RELEX) {
            assertThat(resumed.resolve("alpharl/trajectory/delta-000002.safetensors"))
                    .isRegularFile();
        }
    }

    @Test
    void restoreAfterTheJumpKeepsItsOutcome() throws IOException {
        AlphaRlConfig config = alphaRl(4, 2, 10, null, Assembly.REPLACE, AfterJump.CONTINUE);
        Path runDir = tmp.resolve("run");
        Path state = tmp.resolve("state");
        Map<String, Object> before;
        try (AlphaRlHook hook = hook(config, 10, runDir, true)) {
            steps(hook, 1, 5);
            hook.saveTo(state.resolve("alpharl"));
            before = hook.summary();
        }
        try (AlphaRlHook hook = hook(config, 10, runDir, true)) {
            hook.restoreFrom(state.resolve("alpharl"));
            assertThat(hook.jumped()).isTrue();
            assertThat(steps(hook, 6, 7)).isFalse();
            assertThat(evaluated).hasSize(1);
            Map<String, Object> after = hook.summary();
            assertThat(after.keySet()).containsExactlyElementsOf(before.keySet());
            assertThat(after.get("target_reward")).isEqualTo(before.get("target_reward"));
            assertThat(after.get("predicted_eval").toString())
                    .isEqualTo(before.get("predicted_eval").toString());
        }
    }

    @Test
    void rejectsAStateOfAnotherMethodAndWindowsTooShortToFit() throws IOException {
        Path state = tmp.resolve("state");
        try (AlphaRlHook hook =
                hook(alphaRl(4, 1, null, null, Assembly.REPLACE, AfterJump.STOP), 10, tmp.resolve("a"), false)) {
            steps(hook, 1, 2);
            hook.saveTo(state.resolve("alpharl"));
        }
        try (AlphaRlHook relex = hook(
                new AlphaRlConfig(
                        4, 1, Method.RELEX, null, null, 1.0, Assembly.REPLACE, AfterJump.STOP, List.of(1.0), false),
                10,
                tmp.resolve("b"),
                false)) {
            assertThatThrownBy(() -> relex.restoreFrom(state.resolve("alpharl")))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("alpharl.method = alpharl")
                    .hasMessageContaining("relex");
        }
        assertThatThrownBy(() ->
                        hook(alphaRl(3, 3, null, null, Assembly.REPLACE, AfterJump.STOP), 10, tmp.resolve("c"), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alpharl.snapshot-every = 3")
                .hasMessageContaining("1 snapshot");
        assertThatThrownBy(() ->
                        hook(alphaRl(12, 3, null, null, Assembly.REPLACE, AfterJump.STOP), 10, tmp.resolve("d"), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainer.total-steps (10)");
        assertThatThrownBy(() ->
                        hook(alphaRl(10, 3, null, null, Assembly.REPLACE, AfterJump.STOP), 10, tmp.resolve("e"), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alpharl.target-step");
    }

    /**
     * A validation set that prefers the weights of step {@code best}: accuracy 1 − |ŝ − best|/100, with ŝ the step
     * a model's q_proj of layer 0 sits at along the planted line, ŝ = ⟨W − W_0, D⟩ / (0.1·⟨D, D⟩).
     */
    private Function<QwenModel, EvalResult> preferring(double best, List<Double> seen) {
        String name = "model.layers.0.self_attn.q_proj.weight";
        return model -> {
            float[] w = model.weights().get(name).toFloatArray();
            float[] b = run.base.get(name);
            float[] d = run.direction.get(name);
            double dot = 0, dd = 0;
            for (int i = 0; i < w.length; i++) {
                dot += (w[i] - b[i]) * (double) d[i];
                dd += (double) d[i] * d[i];
            }
            double step = dot / (0.1 * dd);
            seen.add(step);
            double accuracy = 1 - Math.abs(step - best) / 100;
            return new EvalResult(accuracy, 100, (int) Math.round(100 * accuracy), accuracy, 3, 0, Double.NaN);
        };
    }

    private AlphaRlHook validating(
            Method method, List<Double> horizons, Function<QwenModel, EvalResult> validator, Path runDir) {
        AlphaRlConfig config =
                new AlphaRlConfig(6, 2, method, 16, null, 1.0, Assembly.REPLACE, AfterJump.STOP, horizons, true);
        return new AlphaRlHook(
                config,
                16,
                runDir,
                () -> PlantedTraining.base(m),
                null,
                validator,
                (model, dir) -> HfCheckpoint.save(model, dir, SafetensorsDtype.F32, null),
                m);
    }

    @ParameterizedTest
    @EnumSource(Method.class)
    void validationPicksTheHorizonItPrefers(Method method) {
        Path runDir = tmp.resolve("run");
        List<Double> seen = new ArrayList<>();
        Map<String, Object> summary;
        // W_6 and the candidates of steps 6 + 0.5·(16 − 6) = 11 and 16; validation prefers step 11
        try (AlphaRlHook hook = validating(method, List.of(0.5, 1.0), preferring(11, seen), runDir)) {
            assertThat(steps(hook, 1, 6)).isTrue();
            summary = hook.summary();
        }
        assertThat(seen).hasSize(3);
        assertThat(seen.get(0)).isCloseTo(6, within(0.05));
        assertThat(seen.get(1)).isCloseTo(11, within(0.05));
        assertThat(seen.get(2)).isCloseTo(16, within(0.05));
        assertThat(summary)
                .containsEntry("horizon", 0.5)
                .containsEntry("predicted_step", 11L)
                .containsEntry("validate", true);
        assertThat((List<?>) summary.get("candidates")).hasSize(3);
        Map<String, float[]> fin = loadWeights(runDir.resolve("final"));
        for (String name : policy.projectionMatrices()) {
            assertThat(relativeError(fin.get(name), run.planted(name, 11), run.base.get(name)))
                    .as(name)
                    .isLessThan(2e-3);
        }
        assertThat(runDir.resolve("alpharl/fit-report.json")).isRegularFile();
    }

    @Test
    void whenNoCandidateBeatsTheWindowsLastWeightsTheyStand() {
        Path runDir = tmp.resolve("run");
        List<Double> seen = new ArrayList<>();
        Map<String, Object> summary;
        try (AlphaRlHook hook = validating(Method.ALPHARL, List.of(0.5, 1.0), preferring(3, seen), runDir)) {
            assertThat(steps(hook, 1, 6)).isTrue();
            summary = hook.summary();
        }
        assertThat(summary).containsEntry("horizon", 0.0).containsEntry("predicted_step", 6L);
        Map<String, float[]> w6 = run.weightsAt(6);
        Map<String, float[]> fin = loadWeights(runDir.resolve("final"));
        Map<String, float[]> predicted = loadWeights(runDir.resolve("alpharl/predicted"));
        w6.forEach((name, w) -> {
            assertThat(fin.get(name)).as(name).containsExactly(w);
            assertThat(predicted.get(name)).as(name).containsExactly(w);
        });
        assertThat(runDir.resolve("alpharl/fit-report.json")).doesNotExist();
    }

    @Test
    void horizonsAreCheckedWhenTheConfigIsBuilt() {
        assertThatThrownBy(() -> new AlphaRlConfig(
                        6,
                        2,
                        Method.ALPHARL,
                        null,
                        null,
                        1.0,
                        Assembly.REPLACE,
                        AfterJump.STOP,
                        List.of(0.5, 1.0),
                        false))
                .hasMessageContaining("alpharl.validate: true");
        assertThatThrownBy(() -> new AlphaRlConfig(
                        6, 2, Method.ALPHARL, null, null, 1.0, Assembly.REPLACE, AfterJump.STOP, List.of(1.5), false))
                .hasMessageContaining("fractions in (0, 1]");
        assertThatThrownBy(() -> new AlphaRlConfig(
                        6, 2, Method.ALPHARL, null, 0.5, 1.0, Assembly.REPLACE, AfterJump.STOP, List.of(0.5), false))
                .hasMessageContaining("target-reward");
        assertThat(AlphaRlConfig.horizonStep(20, 200, 0.25)).isEqualTo(65);
    }
}
