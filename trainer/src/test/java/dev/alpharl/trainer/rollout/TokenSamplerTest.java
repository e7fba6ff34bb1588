package dev.alpharl.trainer.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenSamplerTest {

    private static final float[] LOGITS = {2.0f, 1.5f, 0.3f, -0.2f, -1.0f, 0.9f};
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

    /** softmax(logits/T) restricted to top-k then top-p (mass before a token &lt; p), renormalised: plain Java. */
    private static double[] expected(double t, int k, double topP) {
        int v = LOGITS.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(LOGITS[b], LOGITS[a]));
        int keep = k > 0 ? k : v;
        double z = 0;
        double[] p = new double[v];
        for (int j = 0; j < keep; j++) {
            p[order[j]] = Math.exp(LOGITS[order[j]] / t);
            z += p[order[j]];
        }
        double before = 0, kept = 0;
        double[] q = new double[v];
        for (int j = 0; j < keep; j++) {
            double pj = p[order[j]] / z;
            if (before < topP) {
                q[order[j]] = pj;
                kept += pj;
            }
            before += pj;
        }
        for (int i = 0; i < v; i++) {
            q[i] /= kept;
        }
        return q;
    }

    private void assertSamplesFollow(double t, int k, double topP) {
        int n = 40_000;
        NDArray logits = m.create(LOGITS).reshape(1, LOGITS.length).repeat(0, n);
        NDList out =
                TokenSampler.sample(logits, new SamplingParams(1, t, topP, k, Set.of(), 0), new SplittableRandom(9));
        long[] ids = out.get(0).toLongArray();
        long[] counts = new long[LOGITS.length];
        for (long id : ids) {
            counts[(int) id]++;
        }
        double[] q = expected(t, k, topP);
        for (int i = 0; i < q.length; i++) {
            double sigma = Math.sqrt(n * q[i] * (1 - q[i]));
            assertThat((double) counts[i])
                    .as("T=%s k=%d p=%s token %d", t, k, topP, i)
                    .isCloseTo(n * q[i], within(5 * sigma + 1e-9));
        }
        // the reported log-prob is under the unmodified distribution (temperature 1, no truncation)
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        float[] lp = out.get(1).toFloatArray();
        assertThat((double) lp[0]).isCloseTo(LOGITS[(int) ids[0]] - Math.log(z), within(1e-5));
    }

    @Test
    void plainSamplingFollowsSoftmax() {
        assertSamplesFollow(1.0, 0, 1.0);
    }

    @Test
    void temperatureSharpens() {
        assertSamplesFollow(0.5, 0, 1.0);
    }

    @Test
    void topKKeepsTheKLargest() {
        assertSamplesFollow(1.0, 3, 1.0);
    }

    @Test
    void topPKeepsTheNucleus() {
        assertSamplesFollow(0.8, 0, 0.7);
    }

    @Test
    void topKThenTopP() {
        assertSamplesFollow(1.3, 4, 0.9);
    }

    @Test
    void greedyTakesTheArgmax() {
        NDArray logits = m.create(LOGITS).reshape(1, LOGITS.length);
        NDList out = TokenSampler.sample(logits, new SamplingParams(1, 0, 1, 0, Set.of(), 0), new SplittableRandom(1));
        assertThat(out.get(0).toLongArray()).containsExactly(0L);
    }
}
