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
                    w0, checkpoints(run), accuracy, Rank1Analysis.Options.DEFAULTS, new Rank1(), m);
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
