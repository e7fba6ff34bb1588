package dev.alpharl.trainer.alpharl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.alpharl.trainer.config.AlphaRlConfig;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The three assembly variants on a hand-built 3×2 case. */
class AssemblyTest {

    private NDManager m;
    private Map<String, NDArray> w0;
    private Map<String, NDArray> wk;
    private Map<String, RankOneUpdate> updates;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
        w0 = new LinkedHashMap<>();
        wk = new LinkedHashMap<>();
        w0.put("m", m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(3, 2)));
        wk.put("m", m.create(new float[] {2, 2, 3, 5, 5, 7}, new Shape(3, 2)));
        w0.put("x", m.create(new float[] {1, 1}, new Shape(2, 1))); // a matrix without a prediction
        wk.put("x", m.create(new float[] {3, 4}, new Shape(2, 1)));
        w0.put("norm", m.create(new float[] {1, 1}));
        wk.put("norm", m.create(new float[] {0.5f, 2}));
        // â = [2, 0, 4], a_k = [1, 0, 1], v_k = [1, 0]
        updates = Map.of("m", new RankOneUpdate(new double[] {2, 0, 4}, new double[] {1, 0, 1}, new double[] {1, 0}));
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private Map<String, float[]> assemble(AlphaRlConfig.Assembly variant) {
        try (NDManager out = m.newSubManager()) {
            Map<String, NDArray> r = Assembly.assemble(variant, w0, wk, updates, out);
            Map<String, float[]> values = new LinkedHashMap<>();
            r.forEach((k, v) -> {
                assertThat(v.getManager()).isSameAs(out);
                values.put(k, v.toFloatArray());
            });
            return values;
        }
    }

    @Test
    void replaceSubstitutesThePredictedRankOneTermIntoWk() {
        // (â − a_k) v_kᵀ = [[1,0],[0,0],[3,0]]
        Map<String, float[]> r = assemble(AlphaRlConfig.Assembly.REPLACE);
        assertThat(r.get("m")).containsExactly(new float[] {3, 2, 3, 5, 8, 7}, within(1e-6f));
        assertThat(r.get("x")).containsExactly(3, 4);
        assertThat(r.get("norm")).containsExactly(0.5f, 2);
    }

    @Test
    void addPutsThePredictionOnTopOfWk() {
        // â v_kᵀ = [[2,0],[0,0],[4,0]]
        Map<String, float[]> r = assemble(AlphaRlConfig.Assembly.ADD);
        assertThat(r.get("m")).containsExactly(new float[] {4, 2, 3, 5, 9, 7}, within(1e-6f));
        assertThat(r.get("x")).containsExactly(3, 4);
        assertThat(r.get("norm")).containsExactly(0.5f, 2);
    }

    @Test
    void baseStartsFromW0AndKeepsEverythingElseThere() {
        Map<String, float[]> r = assemble(AlphaRlConfig.Assembly.BASE);
        assertThat(r.get("m")).containsExactly(new float[] {3, 2, 3, 4, 9, 6}, within(1e-6f));
        assertThat(r.get("x")).containsExactly(1, 1);
        assertThat(r.get("norm")).containsExactly(1, 1);
    }

    @Test
    void inputsAreNeverModified() {
        assemble(AlphaRlConfig.Assembly.REPLACE);
        assertThat(wk.get("m").toFloatArray()).containsExactly(2, 2, 3, 5, 5, 7);
        assertThat(w0.get("m").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
    }
}
