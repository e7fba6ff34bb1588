package dev.alpharl.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AggregationPlanTest extends NdTestBase {
    // rows: lengths 3, 1 and an all-padding row whose garbage must be ignored
    private static final LossAggregation TOKEN_MEAN = Algorithms.AGGREGATIONS.get("token-mean");
    private static final LossAggregation SEQ_MEAN_TOKEN_MEAN = Algorithms.AGGREGATIONS.get("seq-mean-token-mean");
    private static final LossAggregation CONSTANT_NORM = Algorithms.AGGREGATIONS.get("constant-norm");
    private static final LossAggregation SEQ_MEAN_TOKEN_SUM = Algorithms.AGGREGATIONS.get("seq-mean-token-sum");
    private static final double[][] LOSS = {{1, 2, 3, 9}, {4, 5, 0, 9}, {7, 7, 7, 7}};
    private static final int[] LENGTHS = {3, 1, 0};

    @Test
    void eachModeMatchesItsFormulaOnAHandCase() {
        NDArray loss = f32(LOSS);
        NDArray mask = f32(maskOf(4, LENGTHS));
        StepCounts counts = StepCounts.of(mask);
        assertThat(counts).isEqualTo(new StepCounts(4, 2));
        // token-mean: (1+2+3+4)/4
        assertThat(scalar(AggregationPlan.forStep(TOKEN_MEAN, counts).aggregate(loss, mask)))
                .isCloseTo(2.5, within(1e-6));
        // seq-mean-token-mean: (6/3 + 4/1)/2
        assertThat(scalar(AggregationPlan.forStep(SEQ_MEAN_TOKEN_MEAN, counts).aggregate(loss, mask)))
                .isCloseTo(3, within(1e-6));
        // seq-mean-token-sum: (6 + 4)/2
        assertThat(scalar(AggregationPlan.forStep(SEQ_MEAN_TOKEN_SUM, counts).aggregate(loss, mask)))
                .isCloseTo(5, within(1e-6));
        // constant norm: 10 / (3 sequences x 4 max tokens), whatever the padding
        assertThat(scalar(AggregationPlan.constantNorm(CONSTANT_NORM, 3, 4).aggregate(loss, mask)))
                .isCloseTo(10.0 / 12, within(1e-6));
        // the loss scale for R data-parallel ranks multiplies the scalar
        assertThat(scalar(AggregationPlan.forStep(TOKEN_MEAN, counts)
                        .withLossScale(4)
                        .aggregate(loss, mask)))
                .isCloseTo(10, within(1e-5));
    }

    @Test
    void anEmptyStepAggregatesToZeroNotNaN() {
        NDArray mask = f32(maskOf(3, 0, 0));
        NDArray loss = f32(new double[][] {{1, 2, 3}, {4, 5, 6}});
        for (LossAggregation mode : List.of(TOKEN_MEAN, SEQ_MEAN_TOKEN_MEAN, SEQ_MEAN_TOKEN_SUM)) {
            assertThat(scalar(AggregationPlan.forStep(mode, List.of(mask)).aggregate(loss, mask)))
                    .isZero();
        }
    }

    @Test
    void constantNormNeedsConfigValues() {
        assertThatThrownBy(() -> AggregationPlan.forStep(CONSTANT_NORM, StepCounts.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("constantNorm");
        assertThatThrownBy(() -> AggregationPlan.constantNorm(CONSTANT_NORM, 0, 512))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AggregationPlan.forStep(TOKEN_MEAN, StepCounts.ZERO)
                        .aggregate(f32(new double[][] {{1}}), f32(new double[][] {{1, 1}})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same [B, T] shape");
        assertThat(Algorithms.AGGREGATIONS.get("seq-mean-token-sum-norm")).isSameAs(CONSTANT_NORM);
        assertThat(Algorithms.AGGREGATIONS.get("Constant_Norm")).isSameAs(CONSTANT_NORM);
        assertThatThrownBy(() -> Algorithms.AGGREGATIONS.get("mean"))
                .hasMessageContaining("'mean'")
                .hasMessageContaining("token-mean, seq-mean-token-mean, seq-mean-token-sum, constant-norm");
    }

    /** Row ranges of the micro-batches: k = 1, 2, 4 and an uneven split. */
    private static final int[][][] SPLITS = {
        {{0, 7}},
        {{0, 4}, {4, 7}},
        {{0, 2}, {2, 4}, {4, 6}, {6, 7}},
        {{0, 1}, {1, 6}, {6, 7}},
    };

    private static final int[] ROW_LENGTHS = {6, 2, 1, 0, 5, 3, 1};
    private static final int STEPS = 6;

    /**
     * The §3 invariance law: with the plan computed once from the whole step, summing micro-batch gradients equals the
     * full-batch gradient, for every split; each micro-batch is trimmed to its own padded length, and an appended
     * all-padding row changes nothing. The per-token loss is PPO-clip + k3 KL in the loss (GSPO for
     * seq-mean-token-mean as well), all on one differentiable leaf of log-probs.
     */
    @ParameterizedTest
    @ValueSource(strings = {"token-mean", "seq-mean-token-mean", "seq-mean-token-sum", "constant-norm"})
    void microBatchGradientsAddUpToTheFullBatchGradientInFp64(String mode) {
        checkInvariance(Algorithms.AGGREGATIONS.get(mode), DataType.FLOAT64, 1e-12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"token-mean", "seq-mean-token-mean", "seq-mean-token-sum", "constant-norm"})
    void microBatchGradientsAddUpToTheFullBatchGradientInFp32(String mode) {
        checkInvariance(Algorithms.AGGREGATIONS.get(mode), DataType.FLOAT32, 1e-6);
    }

    private void checkInvariance(LossAggregation mode, DataType dtype, double relTol) {
        Random rnd = new Random(17);
        int b = ROW_LENGTHS.length;
        double[][] logp = new double[b][STEPS];
        double[][] old = new double[b][STEPS];
        double[][] ref = new double[b][STEPS];
        double[] seqAdv = new double[b];
        for (int i = 0; i < b; i++) {
            seqAdv[i] = rnd.nextGaussian();
            for (int t = 0; t < STEPS; t++) {
                logp[i][t] = -1.5 + 0.5 * rnd.nextGaussian();
                old[i][t] = logp[i][t] + 0.3 * rnd.nextGaussian(); // many tokens outside the clip range
                // keep every ratio clear of the clip edges (1 − 0.2, 1 + 0.28): at an edge one fp32 ulp flips the
                // branch, and the micro-batch split then changes which ulp a token gets
                while (nearClipEdge(Math.exp(logp[i][t] - old[i][t]))) {
                    old[i][t] -= 0.01;
                }
                ref[i][t] = logp[i][t] + 0.3 * rnd.nextGaussian();
            }
            // the same for GSPO's sequence ratio against its range (0.9, 1.15): at an edge, the summation order of
            // the row mean (which the thread count can change) decides the branch
            while (nearGspoClipEdge(sequenceRatio(logp[i], old[i], ROW_LENGTHS[i]))) {
                for (int t = 0; t < STEPS; t++) {
                    old[i][t] -= 0.01;
                }
            }
        }
        NDArray mask = f64(maskOf(STEPS, ROW_LENGTHS)).toType(dtype, false);
        NDArray adv = Masked.broadcast(manager.create(seqAdv).toType(dtype, false), mask);

        List<NDArray> microMasks = new ArrayList<>();
        for (int[] range : SPLITS[3]) {
            microMasks.add(mask.get(new NDIndex("{}:{}", range[0], range[1])));
        }
        AggregationPlan plan = mode == CONSTANT_NORM
                ? AggregationPlan.constantNorm(CONSTANT_NORM, 8, STEPS)
                : AggregationPlan.forStep(mode, microMasks);
        assertThat(plan).isEqualTo(mode == CONSTANT_NORM ? plan : AggregationPlan.forStep(mode, List.of(mask)));

        for (boolean gspo : mode == SEQ_MEAN_TOKEN_MEAN ? new boolean[] {false, true} : new boolean[] {false}) {
            double[][] full = gradient(logp, old, ref, adv, mask, plan, new int[][] {{0, b}}, gspo, false);
            double tol = relTol;
            assertThat(maxAbs(full)).as("gradient is non-trivial").isGreaterThan(1e-3);
            for (int[][] split : SPLITS) {
                double[][] micro = gradient(logp, old, ref, adv, mask, plan, split, gspo, false);
                assertClose(micro, full, tol, split.length + "-way split, gspo=" + gspo);
            }
            double[][] padded = gradient(logp, old, ref, adv, mask, plan, SPLITS[2], gspo, true);
            assertClose(padded, full, tol, "with an all-padding row appended to each micro-batch");
        }
    }

    private double[][] gradient(
            double[][] logp,
            double[][] old,
            double[][] ref,
            NDArray adv,
            NDArray mask,
            AggregationPlan plan,
            int[][] split,
            boolean gspo,
            boolean appendPaddingRow) {
        DataType dtype = mask.getDataType();
        NDArray leaf = f64(logp).toType(dtype, false);
        leaf.setRequiresGradient(true);
        NDArray oldAll = f64(old).toType(dtype, false);
        NDArray refAll = f64(ref).toType(dtype, false);
        for (int[] range : split) {
            int width = 0;
            for (int i = range[0]; i < range[1]; i++) {
                width = Math.max(width, ROW_LENGTHS[i]);
            }
            width = Math.max(width, 1);
            NDIndex rows = new NDIndex("{}:{}, :{}", range[0], range[1], width);
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                NDArray l = leaf.get(rows);
                NDArray o = oldAll.get(rows);
                NDArray r = refAll.get(rows);
                NDArray a = adv.get(rows);
                NDArray m = mask.get(rows);
                if (appendPaddingRow) {
                    // a fake padding row with finite junk values and a zero mask
                    l = l.concat(l.get(":1").add(3), 0);
                    o = o.concat(o.get(":1"), 0);
                    r = r.concat(r.get(":1"), 0);
                    a = a.concat(a.get(":1").add(1), 0);
                    m = m.concat(m.get(":1").zerosLike(), 0);
                }
                NDArray policy = gspo
                        ? PolicyLosses.gspo(l, o, a, m, ClipRange.of(0.1, 0.15)).loss()
                        : PolicyLosses.ppoClip(l, o, a, ClipRange.of(0.2, 0.28).withDualClip(3))
                                .loss();
                NDArray tokenLoss = KlPenalty.addToLoss(policy, KlEstimators.k3(l, r), 0.1);
                gc.backward(plan.aggregate(tokenLoss, m));
            }
        }
        return rows(leaf.getGradient());
    }

    private static double sequenceRatio(double[] logp, double[] old, int length) {
        double sum = 0;
        for (int t = 0; t < length; t++) {
            sum += logp[t] - old[t];
        }
        return Math.exp(sum / Math.max(length, 1));
    }

    private static boolean nearGspoClipEdge(double ratio) {
        return Math.abs(ratio - 0.9) < 1e-3 || Math.abs(ratio - 1.15) < 1e-3;
    }

    private static boolean nearClipEdge(double ratio) {
        return Math.abs(ratio - 0.8) < 1e-3 || Math.abs(ratio - 1.28) < 1e-3;
    }

    private static double maxAbs(double[][] g) {
        double max = 0;
        for (double[] row : g) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    private static void assertClose(double[][] actual, double[][] expected, double relTol, String what) {
        for (int i = 0; i < expected.length; i++) {
            for (int t = 0; t < expected[i].length; t++) {
                assertThat(actual[i][t])
                        .as("%s [%d, %d]", what, i, t)
                        .isCloseTo(expected[i][t], within(relTol * (1 + Math.abs(expected[i][t]))));
            }
        }
    }
}
