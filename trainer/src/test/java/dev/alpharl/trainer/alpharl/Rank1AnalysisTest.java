package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Rank1AnalysisTest {

    @TempDir
    Path root;

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

    private static Rank1Analysis.Checkpoints checkpoints(TinyRun run) {
        return new Rank1Analysis.Checkpoints() {
            public int size() {
                return run.checkpoints.size();
            }

            public long step(int i) {
                return i + 1;
            }

            public QwenModel load(int i, NDManager manager) {
                return HfCheckpoint.load(run.checkpoints.get(i), manager);
            }
        };
    }

    /**
     * A linear "accuracy" A(W) = Σ_m u_mᵀ (W_m − W0_m) v_m over the planted directions: it rises by 0.01 per step
     * per matrix, so y is linear in the step, and the Frobenius-rescaled rank-1 model recovers the final gain.
     */
    @Test
    void evaluatorDrivesTheResponseAndTheRecoveryRatios() {
        TinyRun run = new TinyRun(root, 5, 1e-5, m);
        try (QwenModel w0 = HfCheckpoint.load(run.base, m)) {
            Map<String, float[]> base = new java.util.HashMap<>();
            w0.weights().forEach((k, v) -> base.put(k, v.toFloatArray()));
            ToDoubleFunction<QwenModel> accuracy = model -> {
                double a = 0;
                for (Map.Entry<String, double[][]> e : run.directions.entrySet()) {
                    NDArray w = model.weights().get(e.getKey());
                    float[] values = w.toFloatArray();
                    float[] b = base.get(e.getKey());
                    double[] u = e.getValue()[0];
                    double[] v = e.getValue()[1];
                    for (int i = 0; i < values.length; i++) {
                        a += (values[i] - b[i]) * u[i / v.length] * v[i % v.length];
                    }
                }
                return a;
            };
            Rank1AnalysisReport r = Rank1Analysis.analyze(
                    w0, checkpoints(run), accuracy, null, Rank1Analysis.Options.DEFAULTS, new Rank1(), m);
            assertThat(r.ySource()).isEqualTo("evaluator");
            assertThat(r.fitCheckpoints()).isEqualTo(3); // round(0.5·5)
            for (int t = 0; t < 5; t++) {
                assertThat(r.y().get(t)).isCloseTo(14 * 0.01 * (t + 1), within(1e-4));
            }
            Rank1AnalysisReport.Recovery rec = r.recovery();
            assertThat(rec.base()).isZero();
            assertThat(rec.rank1Recovery()).isCloseTo(1, within(0.01));
            assertThat(rec.rankPercentRecovery()).isCloseTo(1, within(0.01));
            assertThat(r.recoveryNote()).isNull();
            for (Rank1AnalysisReport.MatrixAnalysis ma : r.matrices()) {
                assertThat(ma.energyFraction()).isGreaterThan(0.99);
                assertThat(ma.uStability()).allSatisfy(s -> assertThat(s).isGreaterThan(0.99));
                assertThat(ma.coefficientR2OutOfSample()).isGreaterThan(0.999);
                assertThat(ma.coefficientEndpointError()).isLessThan(1e-3);
                assertThat(ma.sigmaR2OutOfSample()).isGreaterThan(0.999);
            }
            // the control is a walk: it has no reason to stay on a line (median taken over 14 matrices)
            assertThat(r.summary().law2bPassShare()).isEqualTo(1.0);
            assertThat(r.summary().law2bRandomWalkPassShare()).isLessThan(0.5);
        }
    }

    /**
     * A(W) = Σ_tensors ⟨W − W_0, Δ_T⟩ / Σ_tensors ‖Δ_T‖², the projection on the run's own final update: linear, 1 at
     * W_T, 0 at W_0, so the recovery of every reconstruction has a closed form (see the exact-recovery test).
     */
    private static ToDoubleFunction<QwenModel> projectionOnFinalUpdate(TinyRun run, NDManager m) {
        Map<String, float[]> base = new java.util.HashMap<>();
        Map<String, float[]> delta = new java.util.HashMap<>();
        double[] total = {0};
        try (QwenModel w0 = HfCheckpoint.load(run.base, m);
                QwenModel wT = HfCheckpoint.load(run.checkpoints.get(run.checkpoints.size() - 1), m)) {
            w0.weights().forEach((name, w) -> {
                float[] b = w.toFloatArray();
                float[] t = wT.weights().get(name).toFloatArray();
                float[] d = new float[b.length];
                for (int i = 0; i < d.length; i++) {
                    d[i] = t[i] - b[i];
                    total[0] += (double) d[i] * d[i];
                }
                base.put(name, b);
                delta.put(name, d);
            });
        }
        return model -> {
            double a = 0;
            for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
                float[] w = e.getValue().toFloatArray();
                float[] b = base.get(e.getKey());
                float[] d = delta.get(e.getKey());
                for (int i = 0; i < w.length; i++) {
                    a += (double) (w[i] - b[i]) * d[i];
                }
            }
            return a / total[0];
        };
    }

    /**
     * Under the projection evaluator, with ΔW = Σ σ_i u_i v_iᵀ per tracked matrix, E_k = Σ_{i≤k} σ_i², S the
     * squared norm of the other tensors' change and Z = Σ_m ‖ΔW_m‖² + S:
     * rescaled ρ = (Σ_m ‖ΔW_m‖·√E_k + [S if they are at W_T]) / Z, unscaled ρ = (Σ_m E_k + [S]) / Z.
     */
    @Test
    void rankRecoveryMatchesItsClosedFormUnderALinearEvaluator() {
        TinyRun run = new TinyRun(root, 4, 2e-4, m);
        try (QwenModel w0 = HfCheckpoint.load(run.base, m);
                QwenModel wT = HfCheckpoint.load(run.checkpoints.get(3), m)) {
            java.util.List<String> matrices = w0.projectionMatrices();
            Map<String, double[]> sigmas = new java.util.HashMap<>();
            double other = 0;
            double z = 0;
            for (String name : w0.weights().keySet()) {
                NDArray d = wT.weights()
                        .get(name)
                        .toType(ai.djl.ndarray.types.DataType.FLOAT64, true)
                        .sub(w0.weights().get(name).toType(ai.djl.ndarray.types.DataType.FLOAT64, true));
                double sq = d.square().sum().getDouble();
                z += sq;
                if (matrices.contains(name)) {
                    sigmas.put(
                            name,
                            dev.alpharl.trainer.tensor.TorchOps.of(d)
                                    .singularValues(d)
                                    .toDoubleArray());
                } else {
                    other += sq;
                }
            }
            Rank1AnalysisReport r = Rank1Analysis.analyze(
                    w0,
                    checkpoints(run),
                    projectionOnFinalUpdate(run, m),
                    null,
                    Rank1Analysis.Options.DEFAULTS,
                    new Rank1(),
                    m);
            assertThat(r.rankRecovery()).hasSize(28);
            for (Rank1AnalysisReport.RankRecovery row : r.rankRecovery()) {
                int k = row.rank().equals("all") ? Integer.MAX_VALUE : Integer.parseInt(row.rank());
                double rest = row.rest().equals("W_T") ? other : 0;
                if (row.kind().equals("random")) {
                    // a random direction carries almost none of the gain: only the other tensors' share is left
                    assertThat(row.recovery()).as(row.toString()).isCloseTo(rest / z, within(0.1));
                    continue;
                }
                double kept = 0;
                for (String name : matrices) {
                    double[] s = sigmas.get(name);
                    double all = 0;
                    double ek = 0;
                    for (int i = 0; i < s.length; i++) {
                        all += s[i] * s[i];
                        ek += i < k ? s[i] * s[i] : 0;
                    }
                    kept += row.kind().equals("rescaled") ? Math.sqrt(all * ek) : ek;
                }
                assertThat(row.recovery()).as(row.toString()).isCloseTo((kept + rest) / z, within(2e-4));
            }
            // every triplet, other tensors at W_T: W_T itself
            assertThat(r.rankRecovery().stream()
                            .filter(x -> x.rank().equals("all")
                                    && x.kind().equals("rescaled")
                                    && x.rest().equals("W_T"))
                            .findFirst()
                            .orElseThrow()
                            .recovery())
                    .isCloseTo(1, within(1e-5));
        }
    }

    @Test
    void aPlantedLinearRankOneRunPassesEveryLaw() {
        TinyRun run = new TinyRun(root.resolve("linear"), 10, 1e-5, m);
        try (QwenModel w0 = HfCheckpoint.load(run.base, m)) {
            double[] rewards = {0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55};
            Rank1AnalysisReport r = Rank1Analysis.analyze(
                    w0,
                    checkpoints(run),
                    projectionOnFinalUpdate(run, m),
                    rewards,
                    Rank1Analysis.Options.DEFAULTS,
                    new Rank1(),
                    m);
            assertThat(r.coherence().regime()).isEqualTo("drift");
            assertThat(r.coherence().matrices()).isGreaterThan(0.99);
            assertThat(r.coherence().allTensors()).isGreaterThan(0.99);
            for (Rank1AnalysisReport.DirectionSummary d : java.util.List.of(r.windowDirection(), r.finalDirection())) {
                assertThat(d.law2PassShare()).isEqualTo(1.0);
                assertThat(d.medianOvershoot()).isCloseTo(1, within(1e-3));
                assertThat(d.medianAccuracyOracleRatio()).isCloseTo(1, within(1e-3));
                // the rewards are linear in the step, hence in c: the reward's line lands on c_T too
                assertThat(d.medianRewardOracleRatio()).isCloseTo(1, within(1e-3));
                assertThat(d.medianRewardR2OutOfSample()).isGreaterThan(0.999);
            }
            assertThat(r.yReward()).hasSize(10);
            assertThat(r.verdict()).isEqualTo(new Rank1AnalysisReport.Verdict(true, true, true, true, true, true));
        }
    }

    @Test
    void aRandomWalkFails() {
        TinyRun run = TinyRun.randomWalk(root.resolve("walk"), 10, 1e-3, m);
        try (QwenModel w0 = HfCheckpoint.load(run.base, m)) {
            Rank1AnalysisReport r = Rank1Analysis.analyze(
                    w0,
                    checkpoints(run),
                    projectionOnFinalUpdate(run, m),
                    null,
                    Rank1Analysis.Options.DEFAULTS,
                    new Rank1(),
                    m);
            assertThat(r.coherence().regime()).isEqualTo("diffusion");
            assertThat(Math.abs(r.coherence().allTensors())).isLessThan(0.1);
            assertThat(r.verdict().drift()).isFalse();
            assertThat(r.verdict().rank1()).isFalse();
            // the window's direction stops growing once the walk turns away from it
            assertThat(r.verdict().law2Window()).isFalse();
            assertThat(r.verdict().oracle()).isFalse();
            assertThat(r.verdict().passes()).isFalse();
            // a random direction keeps none of the gain; the top triplets of a walk keep part of it
            assertThat(r.rankRecovery()).anySatisfy(row -> {
                assertThat(row.rank()).isEqualTo("1");
                assertThat(row.kind()).isEqualTo("random");
                assertThat(row.rest()).isEqualTo("W_0");
                assertThat(row.recovery()).isCloseTo(0, within(0.1));
            });
        }
    }

    @Test
    void rankReconstructionKeepsTheTopDirectionAtTheUpdatesFrobeniusNorm() {
        TinyRun run = new TinyRun(root, 2, 1e-3, m);
        try (QwenModel w0 = HfCheckpoint.load(run.base, m);
                QwenModel wT = HfCheckpoint.load(run.checkpoints.get(1), m)) {
            Map<String, NDArray> r1 =
                    RankReconstruction.build(w0.weights(), wT.weights(), w0.projectionMatrices(), null, m);
            for (String name : w0.projectionMatrices()) {
                NDArray delta = wT.weights().get(name).sub(w0.weights().get(name));
                TopTriplet t = new Rank1().top(delta, null);
                TopTriplet rec = new Rank1().top(r1.get(name).sub(w0.weights().get(name)), null);
                assertThat(rec.sigma1()).isCloseTo(t.frobenius(), within(1e-5 * t.frobenius()));
                assertThat(rec.gapRatio()).isLessThan(1e-3); // rank 1
                assertThat(Math.abs(Vectors.dot(rec.u(), t.u()))).isGreaterThan(1 - 1e-6);
            }
            String norm = "model.norm.weight";
            assertThat(r1.get(norm).toFloatArray())
                    .containsExactly(w0.weights().get(norm).toFloatArray());
            assertThat(RankReconstruction.rankForPercent(4096, 11008, 1)).isEqualTo(40);
            assertThat(RankReconstruction.rankForPercent(16, 24, 1)).isEqualTo(1);
        }
    }
}
