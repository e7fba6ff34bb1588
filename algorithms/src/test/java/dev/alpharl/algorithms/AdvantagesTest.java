package dev.alpharl.algorithms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdvantagesTest extends NdTestBase {
    // group 0: R = [1, 0, 0, 0]: mean 0.25, unbiased var 0.75/3 = 0.25, std 0.5
    // group 1: R = [2, 4, 6, 8]: mean 5, unbiased var 20/3
    private static final double[] SCORES = {1, 0, 0, 0, 2, 4, 6, 8};
    private static final double STD1 = Math.sqrt(20.0 / 3);

    @Test
    void grpoGroupScalingIsTheGroupZScore() {
        double eps = Advantages.GRPO_EPS;
        NDArray a = Advantages.grpo(f32(SCORES), GroupIndex.contiguous(2, 4), RewardScaling.GROUP, eps);
        assertAllClose(
                a,
                new double[] {
                    0.75 / (0.5 + eps),
                    -0.25 / (0.5 + eps),
                    -0.25 / (0.5 + eps),
                    -0.25 / (0.5 + eps),
                    -3 / (STD1 + eps),
                    -1 / (STD1 + eps),
                    1 / (STD1 + eps),
                    3 / (STD1 + eps)
                },
                1e-5);
    }

    @Test
    void grpoBatchScalingDividesTheGroupDeviationByTheBatchStd() {
        double mean = 0;
        for (double s : SCORES) {
            mean += s / SCORES.length;
        }
        double ss = 0;
        for (double s : SCORES) {
            ss += (s - mean) * (s - mean);
        }
        double std = Math.sqrt(ss / (SCORES.length - 1)); // 3.0676...
        NDArray a = Advantages.grpo(f32(SCORES), GroupIndex.contiguous(2, 4), RewardScaling.BATCH, 1e-6);
        double[] dev = {0.75, -0.25, -0.25, -0.25, -3, -1, 1, 3};
        double[] expected = new double[dev.length];
        for (int i = 0; i < dev.length; i++) {
            expected[i] = dev[i] / (std + 1e-6);
        }
        assertThat(std).isCloseTo(3.0676887, within(1e-6));
        assertAllClose(a, expected, 1e-5);
    }

    @Test
    void drGrpoAndNoneScalingOnlyCentre() {
        double[] dev = {0.75, -0.25, -0.25, -0.25, -3, -1, 1, 3};
        assertAllClose(Advantages.drGrpo(f32(SCORES), GroupIndex.contiguous(2, 4)), dev, 1e-6);
        assertAllClose(Advantages.grpo(f32(SCORES), GroupIndex.contiguous(2, 4), RewardScaling.NONE, 1e-6), dev, 1e-6);
    }

    @Test
    void rlooSubtractsTheLeaveOneOutMean() {
        // sample 1 of group 0: baseline (1 + 0 + 0)/3 = 1/3; sample 0: baseline 0
        // group 1 sample 0: baseline (4 + 6 + 8)/3 = 6 -> 2 - 6 = -4
        NDArray a = Advantages.rloo(f32(SCORES), GroupIndex.contiguous(2, 4));
        assertAllClose(a, new double[] {1, -1.0 / 3, -1.0 / 3, -1.0 / 3, -4, -4.0 / 3, 4.0 / 3, 4}, 1e-5);
    }

    @Test
    void groupsNeedNotBeContiguous() {
        // labels interleave the two groups of the SCORES case
        double[] scores = {1, 2, 0, 4, 0, 6, 0, 8};
        NDArray a = Advantages.drGrpo(f32(scores), GroupIndex.of(new long[] {7, 9, 7, 9, 7, 9, 7, 9}));
        assertAllClose(a, new double[] {0.75, -3, -0.25, -1, -0.25, 1, -0.25, 3}, 1e-6);
    }

    @Test
    void identicalRewardsGiveExactlyZeroAdvantage() {
        // 0.1 is not exact in binary: a naive mean leaves a residue that eps would blow up
        double[] scores = {0.1, 0.1, 0.1, 0.7, 0.7, 0.7};
        GroupIndex groups = GroupIndex.contiguous(2, 3);
        for (RewardScaling scaling : RewardScaling.values()) {
            assertAllZero(values(Advantages.grpo(f32(scores), groups, scaling, 1e-6)), scaling.name());
        }
        assertAllZero(values(Advantages.rloo(f32(scores), groups)), "values");
        NDArray mask = f32(maskOf(3, 3, 1, 2, 3, 3, 0));
        NDArray pp = Advantages.reinforcePlusPlusBaseline(f32(scores), groups, mask, 1.0);
        assertAllZero(values(pp), "values");
    }

    @Test
    void groupOfOneFollowsVerl() {
        // a group of one: mean 0, std 1; RLOO has no baseline; a batch of one has std 1
        NDArray scores = f32(2.0, 1, 3);
        GroupIndex groups = GroupIndex.of(new long[] {0, 1, 1});
        assertAllClose(
                Advantages.grpo(scores, groups, RewardScaling.GROUP, 1e-6),
                new double[] {2 / (1 + 1e-6), -1 / (Math.sqrt(2) + 1e-6), 1 / (Math.sqrt(2) + 1e-6)},
                1e-5);
        assertAllClose(Advantages.rloo(scores, groups), new double[] {2, -2, 2}, 1e-6);
        assertAllClose(
                Advantages.grpo(f32(5.0), GroupIndex.contiguous(1, 1), RewardScaling.BATCH, 1e-6),
                new double[] {5 / (1 + 1e-6)},
                1e-5);
    }

    @Test
    void scoresMustMatchTheGroupIndex() {
        assertThatThrownBy(
                        () -> Advantages.grpo(f32(1.0, 2, 3), GroupIndex.contiguous(2, 2), RewardScaling.GROUP, 1e-6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[4]");
    }

    @Test
    void outcomeRewardLandsOnTheLastValidTokenAndBroadcastCoversTheMask() {
        NDArray mask = f32(maskOf(4, 3, 1, 0, 4));
        NDArray r = Advantages.outcomeTokenRewards(f32(1.0, 2, 3, 4), mask);
        assertAllClose(r, new double[][] {{0, 0, 1, 0}, {2, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 4}}, 0);
        assertAllClose(
                Masked.broadcast(f32(1.0, 2, 3, 4), mask),
                new double[][] {{1, 1, 1, 0}, {2, 0, 0, 0}, {0, 0, 0, 0}, {4, 4, 4, 4}},
                0);
    }

    @Test
    void reinforcePlusPlusWhitensDiscountedReturnsOverValidTokens() {
        NDArray mask = f32(maskOf(3, 3, 2, 0));
        NDArray rewards = f32(new double[][] {{0, 0, 1}, {0, 2, 9}, {5, 5, 5}}); // padding values must be ignored
        // gamma 1: returns [[1,1,1],[2,2,-]]: mean 1.4, unbiased var (3*0.16 + 2*0.36)/4 = 0.3
        double sd = Math.sqrt(0.3 + 1e-8);
        assertAllClose(
                Advantages.reinforcePlusPlus(rewards, mask, 1.0),
                new double[][] {{-0.4 / sd, -0.4 / sd, -0.4 / sd}, {0.6 / sd, 0.6 / sd, 0}, {0, 0, 0}},
                1e-5);
        // gamma 0.5: returns [[0.25, 0.5, 1], [1, 2, -]]: mean 0.95
        double[] g = {0.25, 0.5, 1, 1, 2};
        double mu = 0.95;
        double var = 0;
        for (double x : g) {
            var += (x - mu) * (x - mu) / 4;
        }
        double s = Math.sqrt(var + 1e-8);
        assertAllClose(
                Advantages.reinforcePlusPlus(rewards, mask, 0.5),
                new double[][] {
                    {(0.25 - mu) / s, (0.5 - mu) / s, (1 - mu) / s}, {(1 - mu) / s, (2 - mu) / s, 0}, {0, 0, 0}
                },
                1e-5);
    }

    @Test
    void reinforcePlusPlusBaselineCentresWithinTheGroupFirst() {
        // group [3, 1] -> centred [1, -1]; one token each -> whitened [1/sqrt(2), -1/sqrt(2)] (var = 2)
        NDArray a = Advantages.reinforcePlusPlusBaseline(
                f32(3.0, 1), GroupIndex.contiguous(1, 2), f32(maskOf(2, 1, 1)), 1.0);
        double s = Math.sqrt(2 + 1e-8);
        assertAllClose(a, new double[][] {{1 / s, 0}, {-1 / s, 0}}, 1e-6);
    }

    @Test
    void whiteningASingleValidTokenGivesZeroNotNaN() {
        NDArray a = Advantages.reinforcePlusPlus(f32(new double[][] {{3, 0}, {0, 0}}), f32(maskOf(2, 1, 0)), 1.0);
        assertAllClose(a, new double[][] {{0, 0}, {0, 0}}, 0);
    }

    @Test
    void gaeMatchesAHandComputedCase() {
        // one row, 3 valid tokens, gamma 0.9, lambda 0.8; V beyond the end is 0
        NDArray r = f32(new double[][] {{0, 0, 1, 7}});
        NDArray v = f32(new double[][] {{0.5, 0.4, 0.6, 9}});
        NDArray m = f32(maskOf(4, 3));
        double d2 = 1 - 0.6; // 0.4
        double d1 = 0 + 0.9 * 0.6 - 0.4; // 0.14
        double d0 = 0 + 0.9 * 0.4 - 0.5; // -0.14
        double a2 = d2;
        double a1 = d1 + 0.72 * a2; // 0.428
        double a0 = d0 + 0.72 * a1; // 0.16816
        Advantages.GaeResult g = Advantages.gae(r, v, m, 0.9, 0.8);
        assertAllClose(g.advantages(), new double[][] {{a0, a1, a2, 0}}, 1e-6);
        assertAllClose(g.returns(), new double[][] {{a0 + 0.5, a1 + 0.4, a2 + 0.6, 0}}, 1e-6);
    }

    @Test
    void gaeMatchesAPlainJavaBackwardRecursion() {
        Random rnd = new Random(11);
        int b = 5;
        int t = 9;
        int[] lengths = {9, 4, 1, 0, 6};
        double gamma = 0.97;
        double lambda = 0.9;
        double[][] rewards = new double[b][t];
        double[][] vals = new double[b][t];
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < t; k++) {
                rewards[i][k] = rnd.nextGaussian();
                vals[i][k] = rnd.nextGaussian();
            }
        }
        double[][] expectedAdv = new double[b][t];
        double[][] expectedRet = new double[b][t];
        for (int i = 0; i < b; i++) {
            double next = 0;
            double lastGae = 0;
            for (int k = lengths[i] - 1; k >= 0; k--) {
                double delta = rewards[i][k] + gamma * next - vals[i][k];
                lastGae = delta + gamma * lambda * lastGae;
                expectedAdv[i][k] = lastGae;
                expectedRet[i][k] = lastGae + vals[i][k];
                next = vals[i][k];
            }
        }
        Advantages.GaeResult g = Advantages.gae(f64(rewards), f64(vals), f64(maskOf(t, lengths)), gamma, lambda);
        assertAllClose(g.advantages(), expectedAdv, 1e-12);
        assertAllClose(g.returns(), expectedRet, 1e-12);
        // whitening: zero mean and unit unbiased variance over the valid tokens, zero on padding
        double[][] w = rows(Advantages.whiten(g.advantages(), f64(maskOf(t, lengths))));
        double sum = 0;
        double sq = 0;
        int n = 0;
        for (int i = 0; i < b; i++) {
            for (int k = 0; k < t; k++) {
                if (k < lengths[i]) {
                    sum += w[i][k];
                    sq += w[i][k] * w[i][k];
                    n++;
                } else {
                    assertThat(w[i][k]).isZero();
                }
            }
        }
        assertThat(sum / n).isCloseTo(0, within(1e-12));
        assertThat(sq / (n - 1)).isCloseTo(1, within(1e-6));
    }

    @Test
    void singleTokenCompletionsWork() {
        NDArray mask = f32(maskOf(1, 1, 1, 1, 1));
        NDArray scores = f32(1.0, 0, 1, 1);
        NDArray a =
                Masked.broadcast(Advantages.grpo(scores, GroupIndex.contiguous(1, 4), RewardScaling.GROUP, 0), mask);
        // mean 0.75, var (3*0.0625 + 0.5625)/3 = 0.25
        assertAllClose(a, new double[][] {{0.5}, {-1.5}, {0.5}, {0.5}}, 1e-6);
        Advantages.GaeResult g = Advantages.gae(
                f32(new double[][] {{1}, {0}, {1}, {1}}), f32(new double[][] {{0.25}, {0.5}, {0}, {1}}), mask, 1, 1);
        assertAllClose(g.advantages(), new double[][] {{0.75}, {-0.5}, {1}, {0}}, 1e-6);
        assertAllClose(g.returns(), new double[][] {{1}, {0}, {1}, {1}}, 1e-6);
    }

    @Test
    void registeredNamesAndAliasesResolveAndBadNamesListTheChoices() {
        assertThat(Algorithms.ADVANTAGES.names())
                .containsExactly("gae", "grpo", "dr_grpo", "rloo", "opo", "reinforce_pp", "reinforce_pp_baseline");
        assertThat(Algorithms.ADVANTAGES.entry("reinforce++-baseline").name()).isEqualTo("reinforce_pp_baseline");
        assertThat(Algorithms.ADVANTAGES.entry("DR-GRPO").name()).isEqualTo("dr_grpo");
        assertThat(Algorithms.ADVANTAGES.get("gae").needsCritic()).isTrue();
        assertThat(Algorithms.ADVANTAGES.get("grpo").returnBased()).isFalse();
        assertThatThrownBy(() -> Algorithms.ADVANTAGES.get("ppo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ppo'")
                .hasMessageContaining("grpo")
                .hasMessageContaining("dr_grpo");
        assertThat(RewardScaling.fromConfigName("batch")).isEqualTo(RewardScaling.BATCH);
    }

    /**
     * OPO by hand: group 1 has rewards (1, 0, 1) with lengths (2, 4, 2), so b = (2·1 + 4·0 + 2·1)/8 = 0.5 and
     * A = (0.5, −0.5, 0.5); group 2 has rewards (1, 0) with lengths (3, 1): b = 3/4, A = (0.25, −0.75). The plain
     * group mean would give 2/3 and 1/2.
     */
    @Test
    void opoSubtractsTheLengthWeightedGroupMean() {
        NDArray scores = f32(1.0, 0, 1, 1, 0);
        GroupIndex groups = GroupIndex.of(new long[] {0, 0, 0, 1, 1});
        NDArray mask = f32(maskOf(4, 2, 4, 2, 3, 1));
        assertAllClose(Advantages.opo(scores, groups, mask), new double[] {0.5, -0.5, 0.5, 0.25, -0.75}, 1e-6);
        AdvantageEstimator.Result r = Algorithms.ADVANTAGES
                .get("opo")
                .estimate(new AdvantageEstimator.Input(scores, groups, mask, null, null, AdvantageOptions.DEFAULTS));
        assertAllClose(
                r.advantages(),
                new double[][] {
                    {0.5, 0.5, 0, 0},
                    {-0.5, -0.5, -0.5, -0.5},
                    {0.5, 0.5, 0, 0},
                    {0.25, 0.25, 0.25, 0},
                    {-0.75, 0, 0, 0}
                },
                1e-6);
        // equal rewards: exactly zero, whatever the lengths; equal lengths: the plain group mean (Dr.GRPO)
        assertAllClose(
                Advantages.opo(f32(0.7, 0.7, 0.7), GroupIndex.contiguous(1, 3), f32(maskOf(3, 1, 3, 2))),
                new double[] {0, 0, 0},
                0);
        assertAllClose(
                Advantages.opo(f32(SCORES), GroupIndex.contiguous(2, 4), f32(maskOf(2, 2, 2, 2, 2, 2, 2, 2, 2))),
                Advantages.drGrpo(f32(SCORES), GroupIndex.contiguous(2, 4))
                        .toType(DataType.FLOAT64, false)
                        .toDoubleArray(),
                1e-6);
    }

    @Test
    void registeredEstimatorsMatchTheirFunctions() {
        NDArray scores = f32(SCORES);
        GroupIndex groups = GroupIndex.contiguous(2, 4);
        NDArray mask = f32(maskOf(2, 2, 1, 0, 2, 1, 2, 2, 1));
        AdvantageOptions opts = AdvantageOptions.DEFAULTS;
        assertAllClose(
                estimate("grpo", scores, groups, mask, null, opts),
                rows(Masked.broadcast(Advantages.grpo(scores, groups, RewardScaling.GROUP, 1e-6), mask)),
                0);
        assertAllClose(
                estimate("rloo", scores, groups, mask, null, opts),
                rows(Masked.broadcast(Advantages.rloo(scores, groups), mask)),
                0);
        assertAllClose(
                estimate("reinforce_pp_baseline", scores, groups, mask, null, opts),
                rows(Advantages.reinforcePlusPlusBaseline(scores, groups, mask, 1)),
                1e-6);
        // KL in the reward: the penalty enters before the return and the whitening
        NDArray penalty = f32(
                new double[][] {{0.1, 0.2}, {0.3, 0}, {0, 0}, {0.1, 0.1}, {0.2, 0}, {0, 0.1}, {0.1, 0.1}, {0.5, 0}});
        NDArray expected = Advantages.reinforcePlusPlus(
                KlPenalty.penalizeRewards(Advantages.outcomeTokenRewards(scores, mask), penalty, 1, mask), mask, 1);
        assertAllClose(estimate("reinforce_pp", scores, groups, mask, penalty, opts), rows(expected), 1e-6);
        assertThatThrownBy(() -> estimate("grpo", scores, groups, mask, penalty, opts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KL in the reward");
    }

    private static NDArray estimate(
            String name, NDArray scores, GroupIndex groups, NDArray mask, NDArray klPenalty, AdvantageOptions opts) {
        return Algorithms.ADVANTAGES
                .get(name)
                .estimate(new AdvantageEstimator.Input(scores, groups, mask, klPenalty, null, opts))
                .advantages();
    }

    @Test
    void fullyMaskedRowsStayZeroAndFinite() {
        NDArray mask = f32(maskOf(3, 0, 0, 2, 0));
        NDArray scores = f32(1.0, 0, 1, 0);
        GroupIndex groups = GroupIndex.contiguous(2, 2);
        for (var e : Algorithms.ADVANTAGES.entries()) {
            if (e.value().needsCritic()) {
                continue;
            }
            NDArray a = estimate(e.name(), scores, groups, mask, null, AdvantageOptions.DEFAULTS);
            assertFinite(a);
            double[][] r = rows(a);
            assertAllZero(r[0], e.name());
            assertAllZero(r[1], e.name());
            assertAllZero(r[3], e.name());
        }
    }
}
