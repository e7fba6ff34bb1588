package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRecorderTest {

    private NDManager m;

    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /** W_0 + scale·(random perturbation of every tensor), as new arrays on {@code m}. */
    static Map<String, NDArray> perturbed(Map<String, NDArray> w0, double scale, long seed, NDManager m) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, NDArray> w = new LinkedHashMap<>();
        w0.forEach((name, a) -> {
            float[] v = a.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (scale * rnd.nextGaussian());
            }
            w.put(name, m.create(v, a.getShape()));
        });
        return w;
    }

    private QwenModel tinyModel() {
        return QwenModel.random(QwenConfig.tiny("qwen2", 16, 24, 2, 4, 2, 4, 32, true), 11, DataType.FLOAT32, m);
    }

    @Test
    void storesOnlyTheVectorsAndScalarsOfEachMatrix() {
        try (QwenModel model = tinyModel();
                SnapshotRecorder recorder =
                        new SnapshotRecorder(model.weights(), model.projectionMatrices(), new Rank1(), m)) {
            long perSnapshot = 0;
            for (String name : model.projectionMatrices()) {
                Shape s = model.weights().get(name).getShape();
                perSnapshot += s.get(0) + s.get(1) + MatrixSnapshot.SCALARS;
            }
            for (int t = 1; t <= 3; t++) {
                recorder.record(t, perturbed(model.weights(), 1e-3 * t, t, m), 0.1 * t, null);
            }
            assertThat(model.projectionMatrices()).hasSize(14);
            assertThat(recorder.storedFloats()).isEqualTo(3 * perSnapshot);
            // O(d_out + d_in) per matrix, far below the 3 full matrices a naive store would keep
            long matrixFloats = model.projectionMatrices().stream()
                    .mapToLong(n -> model.weights().get(n).getShape().size())
                    .sum();
            assertThat(recorder.storedFloats()).isLessThan(3 * matrixFloats / 2);
            for (String name : model.projectionMatrices()) {
                MatrixSnapshot s = recorder.snapshots().get(2).matrices().get(name);
                Shape shape = model.weights().get(name).getShape();
                assertThat(s.a()).hasSize((int) shape.get(0));
                assertThat(s.v()).hasSize((int) shape.get(1));
            }
        }
    }

    @Test
    void alignsSignsSoThatConsecutiveVectorsAgreeAndAvTStillReproducesTheUpdate() {
        SplittableRandom rnd = new SplittableRandom(5);
        double[] u = Rank1Test.unit(rnd, 6);
        double[] v = Rank1Test.unit(rnd, 4);
        Map<String, NDArray> w0 = Map.of("w", m.zeros(new Shape(6, 4)));
        // ΔW_t = c_t u vᵀ with c_t changing sign: the raw SVD's (u, v) sign follows c_t, the aligned one does not.
        double[] c = {1, -2, 3, -4};
        // Block Lanczos warm-started from the previous Ritz vectors keeps v's sign, so u = ΔW v/σ comes out negated
        // when c changes sign: the raw triplets need flipping, and the recorder must undo it jointly.
        Rank1 iterative = new Rank1(Rank1.Options.DEFAULTS.iterativeOnly());
        try (SnapshotRecorder recorder = new SnapshotRecorder(w0, List.of("w"), iterative, m)) {
            for (int t = 0; t < c.length; t++) {
                float[] values = new float[24];
                for (int i = 0; i < 6; i++) {
                    for (int j = 0; j < 4; j++) {
                        values[i * 4 + j] = (float) (c[t] * u[i] * v[j]);
                    }
                }
                recorder.record(t + 1, Map.of("w", m.create(values, new Shape(6, 4))), 0, null);
            }
            List<Snapshot> s = recorder.snapshots();
            int flips = 0;
            for (int t = 0; t < c.length; t++) {
                MatrixSnapshot ms = s.get(t).matrices().get("w");
                assertThat(ms.sigma1()).isCloseTo(Math.abs(c[t]), within(1e-5));
                // a vᵀ = c_t u vᵀ entry by entry
                for (int i = 0; i < 6; i++) {
                    for (int j = 0; j < 4; j++) {
                        assertThat((double) ms.a()[i] * ms.v()[j]).isCloseTo(c[t] * u[i] * v[j], within(1e-5));
                    }
                }
                if (t > 0) {
                    MatrixSnapshot prev = s.get(t - 1).matrices().get("w");
                    assertThat(Vectors.dot(ms.a(), prev.a())).isPositive();
                    assertThat(Vectors.dot(ms.v(), prev.v())).isNegative(); // c changed sign: v carries it
                    assertThat(ms.overlap()).isCloseTo(1, within(1e-6));
                    flips += ms.flipped() ? 1 : 0;
                }
            }
            assertThat(flips).isEqualTo(3);
        }
    }

    @Test
    void stateRoundTripsThroughItsDirectoryAndResumesExactly() throws IOException {
        try (QwenModel model = tinyModel()) {
            List<String> tracked = model.projectionMatrices();
            Rank1 iterative = new Rank1(Rank1.Options.DEFAULTS.iterativeOnly()); // warm starts matter on resume
            Map<String, NDArray> next = perturbed(model.weights(), 4e-3, 99, m);
            try (SnapshotRecorder recorder = new SnapshotRecorder(model.weights(), tracked, iterative, m)) {
                recorder.record(10, perturbed(model.weights(), 1e-3, 1, m), 0.25, 0.5);
                recorder.record(20, perturbed(model.weights(), 2e-3, 2, m), 0.5, null);
                Path dir = tmp.resolve("alpharl-state");
                recorder.save(dir);
                try (SnapshotRecorder loaded = SnapshotRecorder.load(dir, model.weights(), iterative, m)) {
                    assertThat(loaded.matrices()).isEqualTo(tracked);
                    assertSameSnapshots(loaded.snapshots(), recorder.snapshots());
                    recorder.record(30, next, 0.75, null);
                    loaded.record(30, next, 0.75, null);
                    assertSameSnapshots(loaded.snapshots(), recorder.snapshots());
                }
                Map<String, NDArray> otherBase = perturbed(model.weights(), 1e-2, 7, m);
                assertThatThrownBy(() -> SnapshotRecorder.load(dir, otherBase, iterative, m))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("different base model");
            }
        }
    }

    @Test
    void keepsItsOwnCopyOfW0WhenTheCallerUpdatesFp32WeightsInPlace() {
        // the live weights are fp32 and the caller moves them in place, as an optimizer does
        Map<String, NDArray> live = Map.of("w", m.zeros(new Shape(6, 4), DataType.FLOAT32));
        try (SnapshotRecorder recorder = new SnapshotRecorder(live, List.of("w"), new Rank1(), m)) {
            live.get("w").addi(m.ones(new Shape(6, 4)));
            MatrixSnapshot s = recorder.record(1, live, 0, null).matrices().get("w");
            // ΔW = all-ones 6×4: σ1 = √24, the only singular value
            assertThat(s.sigma1()).isCloseTo(Math.sqrt(24), within(1e-5));
            assertThat(s.frobenius()).isCloseTo(Math.sqrt(24), within(1e-5));
            assertThat(recorder.base("w").toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void aSnapshotWhoseIterationFallsBackToTheExactSvdIsRecordedAndLogged() {
        // σ2/σ1 = 1 − 1e-7: block Lanczos in fp32 cannot meet its rule, the exact SVD stands in
        double[] sigmas = Rank1Test.geometric(40, 0.9);
        sigmas[1] = 1 - 1e-7;
        double[][] d = Rank1Test.withSpectrum(200, 120, sigmas, 5);
        float[] values = new float[200 * 120];
        for (int i = 0; i < 200; i++) {
            for (int j = 0; j < 120; j++) {
                values[i * 120 + j] = (float) d[i][j];
            }
        }
        List<String> logged = new CopyOnWriteArrayList<>();
        AbstractAppender capture = new AbstractAppender("fallback-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                logged.add(event.getMessage().getFormattedMessage());
            }
        };
        capture.start();
        Logger logger = (Logger) LogManager.getLogger(SnapshotRecorder.class);
        logger.addAppender(capture);
        Map<String, NDArray> w0 = Map.of("w", m.zeros(new Shape(200, 120)));
        try (SnapshotRecorder recorder = new SnapshotRecorder(w0, List.of("w"), new Rank1(), m)) {
            Snapshot s = recorder.record(7, Map.of("w", m.create(values, new Shape(200, 120))), 0, null);
            MatrixSnapshot w = s.matrices().get("w");
            assertThat(w.method()).isEqualTo(TopTriplet.Method.EXACT_FALLBACK);
            assertThat(w.iterations()).isPositive();
            assertThat(w.sigma1()).isCloseTo(1, within(1e-6));
            assertThat(logged)
                    .singleElement()
                    .asString()
                    .contains("w at step 7")
                    .contains("the exact SVD was used");
        } finally {
            logger.removeAppender(capture);
            capture.stop();
        }
    }

    private static void assertSameSnapshots(List<Snapshot> actual, List<Snapshot> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            Snapshot a = actual.get(i);
            Snapshot e = expected.get(i);
            assertThat(a.step()).isEqualTo(e.step());
            assertThat(a.meanReward()).isEqualTo(e.meanReward());
            assertThat(a.evalAccuracy()).isEqualTo(e.evalAccuracy());
            assertThat(a.matrices().keySet())
                    .containsExactlyElementsOf(e.matrices().keySet());
            e.matrices().forEach((name, em) -> {
                MatrixSnapshot am = a.matrices().get(name);
                assertThat(am.a()).containsExactly(em.a());
                assertThat(am.v()).containsExactly(em.v());
                assertThat(am.sigma1()).isEqualTo(em.sigma1());
                assertThat(am.sigma2()).isEqualTo(em.sigma2());
                assertThat(am.frobenius()).isEqualTo(em.frobenius());
                assertThat(Double.valueOf(am.overlap())).isEqualTo(Double.valueOf(em.overlap()));
                assertThat(am.flipped()).isEqualTo(em.flipped());
                assertThat(am.method()).isEqualTo(em.method());
                assertThat(am.iterations()).isEqualTo(em.iterations());
                assertThat(am.converged()).isEqualTo(em.converged());
            });
        }
    }
}
