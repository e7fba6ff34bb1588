package dev.alpharl.algorithms;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Which prompt group each of the B samples belongs to. Groups are numbered 0..{@link #numGroups()}−1 in order of
 * first appearance; samples of a group need not be contiguous.
 */
public final class GroupIndex {
    private final int[] groupOf;
    private final int[] sizes;
    private final int[] firstMember;

    private GroupIndex(int[] groupOf, int numGroups) {
        this.groupOf = groupOf;
        this.sizes = new int[numGroups];
        this.firstMember = new int[numGroups];
        Arrays.fill(firstMember, -1);
        for (int i = 0; i < groupOf.length; i++) {
            sizes[groupOf[i]]++;
            if (firstMember[groupOf[i]] < 0) {
                firstMember[groupOf[i]] = i;
            }
        }
    }

    /** Groups from arbitrary labels (e.g. prompt ids), one per sample. */
    public static GroupIndex of(long[] labels) {
        Map<Long, Integer> ids = new HashMap<>();
        int[] groupOf = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            groupOf[i] = ids.computeIfAbsent(labels[i], k -> ids.size());
        }
        return new GroupIndex(groupOf, ids.size());
    }

    /** {@code numGroups} consecutive groups of {@code groupSize} samples each (the usual rollout layout). */
    public static GroupIndex contiguous(int numGroups, int groupSize) {
        if (numGroups < 0 || groupSize < 1) {
            throw new IllegalArgumentException(
                    "contiguous groups need numGroups >= 0 and groupSize >= 1, got " + numGroups + " x " + groupSize);
        }
        int[] groupOf = new int[numGroups * groupSize];
        for (int i = 0; i < groupOf.length; i++) {
            groupOf[i] = i / groupSize;
        }
        return new GroupIndex(groupOf, numGroups);
    }

    public int numSamples() {
        return groupOf.length;
    }

    public int numGroups() {
        return sizes.length;
    }

    public int groupOf(int sample) {
        return groupOf[sample];
    }

    public int sizeOf(int group) {
        return sizes[group];
    }

    /** Checks that a {@code [B]} score vector matches this index. */
    void requireSamples(NDArray scores) {
        if (scores.getShape().dimension() != 1 || scores.getShape().get(0) != groupOf.length) {
            throw new IllegalArgumentException("scores must have shape [" + groupOf.length + "] to match the group"
                    + " index, got " + scores.getShape());
        }
    }

    /** One-hot membership {@code M[g, i] = 1[group(i) = g]}, shape {@code [numGroups, B]}. */
    NDArray membership(NDManager manager, DataType dtype) {
        double[] m = new double[sizes.length * groupOf.length];
        for (int i = 0; i < groupOf.length; i++) {
            m[groupOf[i] * groupOf.length + i] = 1;
        }
        return manager.create(m, new Shape(sizes.length, groupOf.length)).toType(dtype, false);
    }

    /** Each sample's group size, {@code [B]}. */
    NDArray sampleGroupSizes(NDManager manager, DataType dtype) {
        double[] n = new double[groupOf.length];
        for (int i = 0; i < groupOf.length; i++) {
            n[i] = sizes[groupOf[i]];
        }
        return manager.create(n).toType(dtype, false);
    }

    /** For each sample, the index of its group's first member, {@code [B]} int64. */
    NDArray sampleGroupLeaders(NDManager manager) {
        long[] lead = new long[groupOf.length];
        for (int i = 0; i < groupOf.length; i++) {
            lead[i] = firstMember[groupOf[i]];
        }
        return manager.create(lead);
    }
}
