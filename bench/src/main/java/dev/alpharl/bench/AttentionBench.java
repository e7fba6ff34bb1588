package dev.alpharl.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.alpharl.algorithms.Constant;
import dev.alpharl.trainer.tensor.StepScope;
import dev.alpharl.trainer.tensor.TorchOps;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.util.function.Function;

/**
 * Fused causal attention (the ops library's SDPA) against the same attention written with DJL primitives
 * (matmul, additive causal mask, softmax, matmul; KV heads repeated for GQA), forward and forward+backward, in one
 * run. Usage: {@code bench.jar attention [B H_q H_kv T d iters]} (default 8 14 2 512 64 10: Qwen2.5-0.5B's head layout).
 */
public final class AttentionBench {

    /** B H_q H_kv T d iters when none are given. */
    static final int[] DEFAULTS = {8, 14, 2, 512, 64, 10};

    /** Runs the comparison for {@code a} = B H_q H_kv T d iters. */
    static void run(int... a) {
        int b = a[0], hq = a[1], hkv = a[2], t = a[3], d = a[4], iters = a[5];
        TorchRuntime.init();
        TorchOps ops = TorchOps.on(Engine.getInstance().defaultDevice());
        try (NDManager base = NDManager.newBaseManager()) {
            NDArray q = base.randomNormal(new Shape(b, hq, t, d));
            NDArray k = base.randomNormal(new Shape(b, hkv, t, d));
            NDArray v = base.randomNormal(new Shape(b, hkv, t, d));
            NDArray ar = base.arange(t);
            NDArray future = ar.reshape(t, 1).lt(ar.reshape(1, t)).toType(DataType.FLOAT32, false);
            NDArray mask = future.mul(Constant.like(future, -1e30));
            Function<NDArray[], NDArray> manual = x -> {
                NDArray kk = x[1].repeat(1, hq / hkv), vv = x[2].repeat(1, hq / hkv);
                return x[0].matMul(kk.transpose(0, 1, 3, 2))
                        .div(Constant.like(x[0], Math.sqrt(d)))
                        .add(mask)
                        .softmax(-1)
                        .matMul(vv);
            };
            Function<NDArray[], NDArray> fused = x -> ops.sdpaCausal(x[0], x[1], x[2]);
            System.out.printf(
                    "attention B=%d Hq=%d Hkv=%d T=%d d=%d fp32, %d threads, mean of %d%n",
                    b, hq, hkv, t, d, Runtime.getRuntime().availableProcessors(), iters);
            double mf = time(base, manual, false, iters, q, k, v), ff = time(base, fused, false, iters, q, k, v);
            System.out.printf("forward           manual %8.1f ms   sdpa %8.1f ms   speedup %.2fx%n", mf, ff, mf / ff);
            double mb = time(base, manual, true, iters, q, k, v), fb = time(base, fused, true, iters, q, k, v);
            System.out.printf("forward+backward  manual %8.1f ms   sdpa %8.1f ms   speedup %.2fx%n", mb, fb, mb / fb);
        }
    }

    private static double time(
            NDManager base, Function<NDArray[], NDArray> f, boolean backward, int iters, NDArray... inputs) {
        double total = 0;
        for (int i = -2; i < iters; i++) { // two warm-up runs
            try (StepScope step = StepScope.open(base)) {
                NDArray[] x = new NDArray[inputs.length];
                for (int j = 0; j < x.length; j++) {
                    x[j] = step.own(inputs[j].duplicate());
                    x[j].setRequiresGradient(backward);
                }
                long t0 = System.nanoTime();
                if (backward) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(f.apply(x).sum());
                    }
                    x[0].getGradient().attach(step.manager());
                } else {
                    f.apply(x).sum().getFloat();
                }
                long dt = System.nanoTime() - t0;
                if (i >= 0) {
                    total += dt / 1e6;
                }
            }
        }
        return total / iters;
    }

    private AttentionBench() {}
}
