package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.model.LoraAdapters;
import dev.alpharl.trainer.model.LoraSpec;
import dev.alpharl.trainer.model.PeftAdapter;
import dev.alpharl.trainer.model.QwenConfig;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * AlphaRL in adapter space against the full-matrix path on the same ΔW = s·B·A: the factored triplet against the
 * SVD of the formed matrix, snapshots recorded from adapters against snapshots of W_0 + ΔW, and the predicted
 * adapter merged onto W_0 against the full-matrix prediction.
 */
class AdapterSpaceTest {

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

    private NDArray gaussian(SplittableRandom rnd, double std, long rows, long cols) {
        float[] x = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (std * rnd.nextGaussian());
        }
        return m.create(x, new Shape(rows, cols));
    }

    private static double relative(double[] actual, double[] expected) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }
        return Math.sqrt(diff / norm);
    }

    private static double relative(NDArray actual, NDArray expected) {
        return relative(
                actual.toType(DataType.FLOAT64, true).toDoubleArray(),
                expected.toType(DataType.FLOAT64, true).toDoubleArray());
    }

    @Test
    void theFactoredTripletIsTheTripletOfTheFormedMatrix() {
        SplittableRandom rnd = new SplittableRandom(3);
        // [d_out, r] × [r, d_in] for r below both sides, and r above one of them (reduced QR is then d×d)
        long[][] shapes = {{48, 4, 36}, {5, 8, 30}, {40, 6, 3}};
        for (long[] s : shapes) {
            NDArray b = gaussian(rnd, 0.3, s[0], s[1]);
            NDArray a = gaussian(rnd, 0.2, s[1], s[2]);
            double scale = 2.5;
            TopTriplet factored = new Rank1().topOfProduct(b, a, scale);
            NDArray formed = b.toType(DataType.FLOAT64, true)
                    .matMul(a.toType(DataType.FLOAT64, true))
                    .mul(scale);
            TopTriplet full = new Rank1().top(formed, null);
            assertThat(factored.method()).isEqualTo(TopTriplet.Method.FACTORED);
            assertThat(factored.sigma1())
                    .isCloseTo(full.sigma1(), org.assertj.core.data.Percentage.withPercentage(1e-8));
            assertThat(factored.sigma2())
                    .isCloseTo(full.sigma2(), org.assertj.core.data.Percentage.withPercentage(1e-8));
            assertThat(factored.frobenius())
                    .isCloseTo(full.frobenius(), org.assertj.core.data.Percentage.withPercentage(1e-8));
            // (u, v) up to a joint sign
            double sign = Math.signum(Vectors.dot(factored.u(), full.u()));
            assertThat(relative(Vectors.scaled(factored.u(), sign), full.u())).isLessThan(1e-9);
            assertThat(relative(Vectors.scaled(factored.v(), sign), full.v())).isLessThan(1e-9);
        }
        // B = 0 (a fresh adapter): the zero update
        TopTriplet zero = new Rank1().topOfProduct(m.zeros(new Shape(6, 2)), gaussian(rnd, 1, 2, 4), 1);
        assertThat(zero.sigma1()).isZero();
        assertThat(zero.frobenius()).isZero();
    }

    /** rsLoRA with a rank and an alpha pattern: three scalings and two ranks among the adapted modules. */
    private static LoraSpec spec() {
        return new LoraSpec(
                4,
                8,
                0.0,
                null,
                ".*\\.(q_proj|v_proj|down_proj)",
                null,
                null,
                true,
                Map.of("layers\\.1\\.self_attn\\.q_proj", 2),
                Map.of("down_proj", 3.0));
    }

    private static QwenConfig config() {
        return QwenConfig.tiny("qwen3", 32, 48, 2, 4, 2, 8, 64, false);
    }

    /**
     * Adapters of a planted run: B_t = t·B_1 + noise (B_1 near rank 1) and A_t = A_1 + noise, so each ΔW_t grows along a steady top
     * direction as AlphaRL assumes; sized so that ‖ΔW‖ is comparable to ‖W_0‖ (the full path forms W_0 + ΔW in
     * fp32 and subtracts W_0 again).
     */
    private List<LoraAdapters> plantedRun(QwenConfig config, int steps) {
        SplittableRandom rnd = new SplittableRandom(11);
        LoraAdapters first = LoraAdapters.initialise(spec(), config, 5, DataType.FLOAT32, m);
        Map<String, NDArray> b1 = new LinkedHashMap<>();
        // B_1 near rank 1, so that ΔW_t has a clear top direction
        first.modules()
                .values()
                .forEach(mod -> b1.put(
                        mod.name(),
                        gaussian(rnd, 0.02, mod.out(), 1)
                                .matMul(gaussian(rnd, 1, 1, mod.rank()))
                                .add(gaussian(rnd, 0.004, mod.out(), mod.rank()))));
        List<LoraAdapters> run = new ArrayList<>();
        for (int t = 1; t <= steps; t++) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (LoraSpec.Module mod : first.modules().values()) {
                NDArray a = first.tensors().get(LoraAdapters.nameOfA(mod.name()));
                tensors.put(LoraAdapters.nameOfA(mod.name()), a.add(gaussian(rnd, 0.01, mod.rank(), mod.in())));
                tensors.put(
                        LoraAdapters.nameOfB(mod.name()),
                        b1.get(mod.name()).mul(t).add(gaussian(rnd, 0.002, mod.out(), mod.rank())));
            }
            run.add(LoraAdapters.of(spec(), config, tensors, 5, DataType.FLOAT32, m));
        }
        first.close();
        return run;
    }

    /** W_0 + s·B·A of every adapted matrix (fp32, what a merged checkpoint holds); other weights as W_0. */
    private Map<String, NDArray> merged(Map<String, NDArray> w0, LoraAdapters adapters) {
        Map<String, NDArray> out = new LinkedHashMap<>(w0);
        for (String module : adapters.modules().keySet()) {
            String name = module + ".weight";
            out.put(name, adapters.merged(module, w0.get(name), m));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(AlphaRlConfig.Assembly.class)
    void adapterSpaceAlphaRlEqualsTheFullMatrixPathOnTheSameUpdates(AlphaRlConfig.Assembly assembly) {
        QwenConfig config = config();
        QwenModel w0 = QwenModel.random(config, 7, DataType.FLOAT32, m);
        List<LoraAdapters> run = plantedRun(config, 4);
        double[] rewards = {0.20, 0.31, 0.38, 0.52};
        List<String> tracked = SnapshotRecorder.adaptedMatrices(run.get(0));
        assertThat(tracked).hasSize(6).contains("model.layers.1.mlp.down_proj.weight");
        try (SnapshotRecorder factored = SnapshotRecorder.forAdapters(tracked, new Rank1(), m);
                SnapshotRecorder full = new SnapshotRecorder(w0.weights(), tracked, new Rank1(), m)) {
            for (int t = 0; t < run.size(); t++) {
                factored.recordAdapters(t + 1, run.get(t), rewards[t], null);
                full.record(t + 1, merged(w0.weights(), run.get(t)), rewards[t], null);
            }
            // the snapshots agree, each matrix's trajectory up to one global sign (the first SVD's)
            for (String name : tracked) {
                MatrixSnapshot first = factored.snapshots().get(0).matrices().get(name);
                double sign = Math.signum(Vectors.dot(
                        first.a(), full.snapshots().get(0).matrices().get(name).a()));
                for (int t = 0; t < run.size(); t++) {
                    MatrixSnapshot f = factored.snapshots().get(t).matrices().get(name);
                    MatrixSnapshot w = full.snapshots().get(t).matrices().get(name);
                    assertThat(Math.abs(f.sigma1() - w.sigma1()) / w.sigma1()).isLessThan(1e-5);
                    assertThat(Math.abs(f.frobenius() - w.frobenius()) / w.frobenius())
                            .isLessThan(1e-5);
                    assertThat(relative(Vectors.scaled(Vectors.toDoubles(f.a()), sign), Vectors.toDoubles(w.a())))
                            .isLessThan(1e-5);
                    assertThat(relative(Vectors.scaled(Vectors.toDoubles(f.v()), sign), Vectors.toDoubles(w.v())))
                            .isLessThan(1e-5);
                }
            }
            AlphaRlPredictor.Options options = new AlphaRlPredictor.Options(0.7, assembly);
            AlphaRlPredictor.Prediction expected = AlphaRlPredictor.predict(
                    full.snapshots(), w0.weights(), merged(w0.weights(), run.get(run.size() - 1)), options, m);
            AlphaRlPredictor.AdapterPrediction actual =
                    AlphaRlPredictor.predictAdapters(factored.snapshots(), run.get(run.size() - 1), config, options, m);
            assertThat(actual.report().excluded()).isEqualTo(expected.report().excluded());
            assertThat(actual.report().excluded()).isLessThan(tracked.size()); // some matrices do jump
            try (LoraAdapters predicted = actual.adapters()) {
                int expectedRank = assembly == AlphaRlConfig.Assembly.BASE ? 1 : 5;
                assertThat(predicted
                                .modules()
                                .get("model.layers.0.self_attn.q_proj")
                                .rank())
                        .isEqualTo(expectedRank);
                assertThat(predicted
                                .modules()
                                .get("model.layers.1.self_attn.q_proj")
                                .rank())
                        .isEqualTo(assembly == AlphaRlConfig.Assembly.BASE ? 1 : 3);
                Map<String, NDArray> predictedWeights = merged(w0.weights(), predicted);
                for (String name : tracked) {
                    NDArray want = expected.weights().get(name);
                    NDArray w0m = w0.weights().get(name);
                    // the update part, relative to its own size: the stricter comparison
                    assertThat(relative(predictedWeights.get(name).sub(w0m), want.sub(w0m)))
                            .as(name)
                            .isLessThan(1e-5);
                }
            }
        }
        run.forEach(LoraAdapters::close);
    }

    @Test
    void thePredictedAdapterRoundTripsThroughPeftFilesAndTheRecorderThroughItsState(@TempDir Path tmp)
            throws IOException {
        QwenConfig config = config();
        List<LoraAdapters> run = plantedRun(config, 3);
        List<String> tracked = SnapshotRecorder.adaptedMatrices(run.get(0));
        try (SnapshotRecorder recorder = SnapshotRecorder.forAdapters(tracked, new Rank1(), m)) {
            for (int t = 0; t < run.size(); t++) {
                recorder.recordAdapters(t + 1, run.get(t), 0.1 * (t + 1), null);
            }
            recorder.save(tmp.resolve("recorder"));
            try (SnapshotRecorder back = SnapshotRecorder.loadAdapters(tmp.resolve("recorder"), new Rank1(), m)) {
                assertThat(back.adapterSpace()).isTrue();
                assertThat(back.matrices()).isEqualTo(tracked);
                for (int t = 0; t < run.size(); t++) {
                    for (String name : tracked) {
                        MatrixSnapshot a =
                                recorder.snapshots().get(t).matrices().get(name);
                        MatrixSnapshot b = back.snapshots().get(t).matrices().get(name);
                        assertThat(b.a()).isEqualTo(a.a());
                        assertThat(b.v()).isEqualTo(a.v());
                        assertThat(b.method()).isEqualTo(TopTriplet.Method.FACTORED);
                    }
                }
            }
            QwenModel w0 = QwenModel.random(config, 7, DataType.FLOAT32, m);
            assertThatThrownBy(() -> SnapshotRecorder.load(tmp.resolve("recorder"), w0.weights(), new Rank1(), m))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("LoRA adapters");

            AlphaRlPredictor.AdapterPrediction p = AlphaRlPredictor.predictAdapters(
                    recorder.snapshots(),
                    run.get(run.size() - 1),
                    config,
                    new AlphaRlPredictor.Options(0.5, AlphaRlConfig.Assembly.REPLACE),
                    m);
            try (LoraAdapters predicted = p.adapters()) {
                PeftAdapter.save(predicted, tmp.resolve("adapter"), "base");
                LoraSpec read = PeftAdapter.readSpec(tmp.resolve("adapter"));
                try (LoraAdapters loaded = PeftAdapter.load(tmp.resolve("adapter"), read, config, 0, m)) {
                    assertThat(loaded.modules()).isEqualTo(predicted.modules());
                    // scaling 1 everywhere: the scale is folded into B'
                    loaded.modules()
                            .values()
                            .forEach(mod -> assertThat(mod.scaling()).isEqualTo(1.0));
                    predicted
                            .tensors()
                            .forEach((name, t) -> assertThat(
                                            loaded.tensors().get(name).toFloatArray())
                                    .isEqualTo(t.toFloatArray()));
                }
            }
        }
        run.forEach(LoraAdapters::close);
    }
}
