package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.tensor.TorchOps;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The synthetic trajectory has the spectrum it claims, and the snapshots command measures on it. */
class RlLikeTrajectoryTest {

    private static Map<String, NDArray> zeros(NDManager m) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        w.put("a", m.zeros(new Shape(200, 150), DataType.FLOAT32));
        w.put("b", m.zeros(new Shape(96, 160), DataType.FLOAT32));
        return w;
    }

    @Test
    void afterTStepsTheTopSingularValuesAreTTimesTheirPlantedGrowthAboveTheNoise() {
        TorchRuntime.init();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = zeros(m);
            List<String> names = List.of("a", "b");
            try (RlLikeTrajectory t = new RlLikeTrajectory(w, names, 1.0, 1e-3, 7)) {
                for (int step = 0; step < 3; step++) {
                    t.advance(w);
                }
                assertThat(t.steps()).isEqualTo(3);
            }
            for (String name : names) {
                NDArray delta = w.get(name).toType(DataType.FLOAT64, true);
                try (TorchOps.Svd svd = TorchOps.of(delta).svd(delta)) {
                    double[] s = svd.s().toDoubleArray();
                    // noise: ‖Σ_s η G_s‖₂ ≈ η·√3·(√200 + √150) ≈ 0.05, so each planted σ_k = 3·c_k within that
                    for (int k = 0; k < RlLikeTrajectory.PLANTED.length; k++) {
                        assertThat(s[k]).isCloseTo(3 * RlLikeTrajectory.PLANTED[k], within(0.06));
                    }
                    assertThat(s[1] / s[0]).isCloseTo(0.9, within(0.03));
                    assertThat(s[4]).isLessThan(0.06);
                }
            }
            // seeded: a second trajectory from the same seed writes the same weights
            Map<String, NDArray> again = zeros(m);
            try (RlLikeTrajectory t = new RlLikeTrajectory(again, names, 1.0, 1e-3, 7)) {
                for (int step = 0; step < 3; step++) {
                    t.advance(again);
                }
            }
            for (String name : names) {
                assertThat(again.get(name).toFloatArray())
                        .containsExactly(w.get(name).toFloatArray());
            }
        }
    }

    @Test
    void snapshotsCommandPrintsBenchsAlphaRlRowsWithTheFitWithinTolerance() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(
                new String[] {
                    "snapshots",
                    "--layers",
                    "1",
                    "--hidden",
                    "128",
                    "--intermediate",
                    "256",
                    "--heads",
                    "2",
                    "--kv-heads",
                    "1",
                    "--head-dim",
                    "64",
                    "--vocab",
                    "64",
                    "--snapshots",
                    "3",
                    "--train-step-seconds",
                    "1000"
                },
                new PrintWriter(out),
                new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        String table = out.toString();
        assertThat(table).contains("| AlphaRL snapshot of all projections, block Lanczos warm-started");
        assertThat(table.lines().filter(l -> l.startsWith("| AlphaRL fit")).findFirst())
                .hasValueSatisfying(l -> assertThat(l).endsWith("| PASS |").contains("(7 matrices)"));
        assertThat(err.toString()).contains("7 projection matrices").contains("step 3: block Lanczos");
    }
}
