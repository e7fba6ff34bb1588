package dev.alpharl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.LoraAdapters;
import dev.alpharl.trainer.model.LoraSpec;
import dev.alpharl.trainer.model.PeftAdapter;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.TinyModelCopies;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code alpharl predict} and {@code alpharl analyze} over a LoRA run's adapter checkpoints, against the same
 * commands over the merged checkpoints ({@code export}) of the same adapters: the full-matrix path on the same ΔW.
 */
class AlphaRlAdapterCommandsTest {

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * Adapter checkpoints step-000001..3 over {@code base}: rsLoRA r = 4 with a rank pattern on q_proj and v_proj,
     * B_t = t·B_1 + noise (B_1 near rank 1), A_t = A_1 + noise; and their merged exports.
     */
    private static List<Path> adapterRun(Path base, Path dir, NDManager m) throws Exception {
        LoraSpec spec = new LoraSpec(
                4, 8, 0.0, List.of("q_proj", "v_proj"), null, null, null, true, Map.of("v_proj", 2), Map.of());
        SplittableRandom rnd = new SplittableRandom(9);
        List<Path> checkpoints = new ArrayList<>();
        try (QwenModel w0 = HfCheckpoint.load(base, m);
                LoraAdapters first = LoraAdapters.initialise(spec, w0.config(), 3, DataType.FLOAT32, m)) {
            Map<String, NDArray> b1 = new LinkedHashMap<>();
            for (LoraSpec.Module mod : first.modules().values()) {
                b1.put(
                        mod.name(),
                        gaussian(rnd, 0.03, mod.out(), 1, m)
                                .matMul(gaussian(rnd, 1, 1, mod.rank(), m))
                                .add(gaussian(rnd, 0.005, mod.out(), mod.rank(), m)));
            }
            for (int t = 1; t <= 3; t++) {
                Map<String, NDArray> tensors = new LinkedHashMap<>();
                for (LoraSpec.Module mod : first.modules().values()) {
                    tensors.put(
                            LoraAdapters.nameOfA(mod.name()),
                            first.tensors()
                                    .get(LoraAdapters.nameOfA(mod.name()))
                                    .add(gaussian(rnd, 0.01, mod.rank(), mod.in(), m)));
                    tensors.put(
                            LoraAdapters.nameOfB(mod.name()),
                            b1.get(mod.name()).mul(t).add(gaussian(rnd, 0.003, mod.out(), mod.rank(), m)));
                }
                Path ck = dir.resolve(String.format("step-%06d", t));
                try (LoraAdapters a = LoraAdapters.of(spec, w0.config(), tensors, 3, DataType.FLOAT32, m)) {
                    PeftAdapter.save(a, ck, base.toString());
                }
                checkpoints.add(ck);
            }
        }
        return checkpoints;
    }

    private static NDArray gaussian(SplittableRandom rnd, double std, long rows, long cols, NDManager m) {
        float[] x = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (std * rnd.nextGaussian());
        }
        return m.create(x, new Shape(rows, cols));
    }

    private static String joined(List<Path> paths) {
        return String.join(",", paths.stream().map(Path::toString).toList());
    }

    private static double relative(NDArray actual, NDArray expected) {
        NDArray a = actual.toType(DataType.FLOAT64, true);
        NDArray e = expected.toType(DataType.FLOAT64, true);
        return Math.sqrt(a.sub(e).square().sum().getDouble() / e.square().sum().getDouble());
    }

    @Test
    void predictOnAdapterCheckpointsEqualsPredictOnTheirMergedExports(@TempDir Path tmp) throws Exception {
        TorchRuntime.init();
        Path base = TinyModelCopies.tinyQwen();
        try (NDManager m = NDManager.newBaseManager()) {
            List<Path> adapters = adapterRun(base, tmp.resolve("adapters"), m);
            List<Path> exports = new ArrayList<>();
            for (Path a : adapters) {
                Path e = tmp.resolve("merged").resolve(a.getFileName());
                Run export =
                        run("export", "--model", base.toString(), "--adapter", a.toString(), "--out", e.toString());
                assertThat(export.code()).as(export.err()).isZero();
                exports.add(e);
            }
            String[] common = {"--method", "alpharl", "--rewards", "0.2,0.35,0.45", "--target-reward", "0.7"};
            Path fromAdapters = tmp.resolve("pred-adapters");
            Path fromMerged = tmp.resolve("pred-merged");
            Run a = run(concat(
                    new String[] {
                        "alpharl",
                        "predict",
                        "--base",
                        base.toString(),
                        "--checkpoints",
                        joined(adapters),
                        "--out",
                        fromAdapters.toString()
                    },
                    common));
            assertThat(a.code()).as(a.err()).isZero();
            Run f = run(concat(
                    new String[] {
                        "alpharl",
                        "predict",
                        "--base",
                        base.toString(),
                        "--checkpoints",
                        joined(exports),
                        "--out",
                        fromMerged.toString()
                    },
                    common));
            assertThat(f.code()).as(f.err()).isZero();

            JsonNode reportA = new ObjectMapper()
                    .readTree(fromAdapters.resolve("fit-report.json").toFile());
            assertThat(reportA.path("predicted").asInt())
                    .as("matrices that jump")
                    .isPositive();
            try (QwenModel w0 = HfCheckpoint.load(base, m);
                    QwenModel predictedA = HfCheckpoint.load(fromAdapters, m);
                    QwenModel predictedF = HfCheckpoint.load(fromMerged, m);
                    QwenModel viaAdapter = PeftAdapter.merge(
                            PeftAdapter.attach(HfCheckpoint.load(base, m), fromAdapters.resolve("adapter"), null, 0, m),
                            m)) {
                int compared = 0;
                for (String name : w0.weights().keySet()) {
                    NDArray w = w0.weights().get(name);
                    NDArray deltaA = predictedA.weights().get(name).sub(w);
                    NDArray deltaF = predictedF.weights().get(name).sub(w);
                    // the merged checkpoint is W_0 + the written adapter
                    assertThat(relative(
                                    viaAdapter.weights().get(name),
                                    predictedA.weights().get(name)))
                            .as(name)
                            .isLessThan(1e-6);
                    if (deltaF.abs().max().getFloat() == 0) {
                        // not adapted: W_0 on both paths
                        assertThat(deltaA.abs().max().getFloat()).as(name).isZero();
                    } else {
                        assertThat(relative(deltaA, deltaF)).as(name).isLessThan(1e-5);
                        compared++;
                    }
                }
                assertThat(compared).isEqualTo(2 * w0.config().numLayers());
            }
        }

        // analyze accepts the adapter checkpoints (merged onto --base) and finds the same structure
        Path analysisA = tmp.resolve("analysis-adapters");
        Path analysisF = tmp.resolve("analysis-merged");
        List<Path> adapters = List.of(
                tmp.resolve("adapters/step-000001"),
                tmp.resolve("adapters/step-000002"),
                tmp.resolve("adapters/step-000003"));
        List<Path> exports = adapters.stream()
                .map(p -> tmp.resolve("merged").resolve(p.getFileName()))
                .toList();
        Run ra = run(
                "alpharl",
                "analyze",
                "--base",
                base.toString(),
                "--checkpoints",
                joined(adapters),
                "--out",
                analysisA.toString());
        assertThat(ra.code()).as(ra.err()).isZero();
        Run rf = run(
                "alpharl",
                "analyze",
                "--base",
                base.toString(),
                "--checkpoints",
                joined(exports),
                "--out",
                analysisF.toString());
        assertThat(rf.code()).as(rf.err()).isZero();
        assertThat(Files.readString(analysisA.resolve("analysis.json")))
                .isEqualTo(Files.readString(analysisF.resolve("analysis.json")));
    }

    @Test
    void mixedCheckpointsAreRefused(@TempDir Path tmp) throws Exception {
        TorchRuntime.init();
        Path base = TinyModelCopies.tinyQwen();
        try (NDManager m = NDManager.newBaseManager()) {
            List<Path> adapters = adapterRun(base, tmp.resolve("adapters"), m);
            Run r = run(
                    "alpharl",
                    "predict",
                    "--base",
                    base.toString(),
                    "--checkpoints",
                    adapters.get(0) + "," + base,
                    "--method",
                    "alpharl",
                    "--rewards",
                    "0.1,0.2",
                    "--target-reward",
                    "0.5",
                    "--out",
                    tmp.resolve("out").toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("adapter directories only");
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
