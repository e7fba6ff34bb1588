package dev.alpharl.trainer.tensor;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.alpharl.trainer.optim.AdamW;
import dev.alpharl.trainer.optim.GradientClipping;
import dev.alpharl.trainer.optim.ParamGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs many tiny training steps of a one-block attention LM (one-hot embedding, rms_norm, SDPA, tied head, AdamW,
 * global-norm clipping), each in its own {@link StepScope}, and prints resident memory and the number of arrays
 * held by the long-lived model manager. Used by {@code StepScopeSoakTest} in a JVM with a pre-touched fixed heap,
 * so resident-memory growth is native memory. Usage: {@code SoakRun STEPS}.
 */
public final class SoakRun {

    static final int V = 64, D = 32, H = 4, B = 8, T = 16;

    public static void main(String[] args) throws IOException {
        int steps = Integer.parseInt(args[0]);
        TorchRuntime.init();
        Engine.getInstance().setRandomSeed(0);
        NDManager model = NDManager.newBaseManager();
        NDManager work = NDManager.newBaseManager();
        Map<String, NDArray> p = new LinkedHashMap<>();
        p.put("emb", model.randomNormal(0f, 0.2f, new Shape(V, D), DataType.FLOAT32));
        p.put("norm", model.ones(new Shape(D)));
        for (String n : new String[] {"wq", "wk", "wv", "wo"}) {
            p.put(n, model.randomNormal(0f, 0.15f, new Shape(D, D), DataType.FLOAT32));
        }
        p.values().forEach(a -> a.setRequiresGradient(true));
        AdamW opt = new AdamW(ParamGroup.decayMatricesOnly(p, 0.01), 0.9, 0.99, 1e-8, model);
        TorchOps ops = TorchOps.on(model.getDevice());
        SplittableRandom rnd = new SplittableRandom(42);

        int arraysFirst = -1;
        double rssAtWarm = 0, rssAtHalf = 0, firstLoss = 0, lastLoss = 0;
        for (int s = 1; s <= steps; s++) {
            long[] tokens = new long[B * (T + 1)];
            for (int b = 0; b < B; b++) {
                long start = rnd.nextInt(V);
                for (int t = 0; t <= T; t++) {
                    tokens[b * (T + 1) + t] = (start + t) % V; // next token = token + 1: learnable
                }
            }
            double loss;
            try (StepScope step = StepScope.open(work)) {
                NDManager sm = step.manager();
                NDArray all = sm.create(tokens, new Shape(B, T + 1));
                NDArray input = all.get(":, :-1");
                NDArray target = all.get(":, 1:");
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = input.oneHot(V).matMul(p.get("emb"));
                    NDArray h = ops.rmsNorm(x, p.get("norm"), 1e-6);
                    NDArray q = heads(h.matMul(p.get("wq")));
                    NDArray k = heads(h.matMul(p.get("wk")));
                    NDArray v = heads(h.matMul(p.get("wv")));
                    NDArray attn = ops.sdpaCausal(q, k, v).transpose(0, 2, 1, 3).reshape(B, T, D);
                    NDArray out = x.add(attn.matMul(p.get("wo")));
                    NDArray head = step.own(p.get("emb").transpose()); // first operand is a parameter
                    NDArray logits = ops.rmsNorm(out, p.get("norm"), 1e-6).matMul(head);
                    NDArray nll = logits.logSoftmax(-1)
                            .gather(target.expandDims(-1), -1)
                            .neg()
                            .mean();
                    gc.backward(nll);
                    loss = nll.getFloat();
                }
                double norm = GradientClipping.clip(opt.weights(), 1.0);
                if (Double.isFinite(norm)) {
                    opt.step(3e-3);
                } else {
                    opt.zeroGradients();
                }
            }
            if (s == 1) {
                firstLoss = loss;
                arraysFirst = model.getManagedArrays().size();
            }
            lastLoss = loss;
            if (s == Math.min(200, steps)) {
                rssAtWarm = rssMb();
            }
            if (s == steps / 2) {
                rssAtHalf = rssMb();
            }
            if (s % 500 == 0 || s == steps) {
                System.out.printf(
                        "step=%d rss_mb=%.1f model_arrays=%d work_arrays=%d loss=%.4f%n",
                        s,
                        rssMb(),
                        model.getManagedArrays().size(),
                        work.getManagedArrays().size(),
                        loss);
            }
        }
        System.out.printf(
                "SOAK steps=%d arrays_first=%d arrays_last=%d work_last=%d rss_warm_mb=%.1f rss_half_mb=%.1f rss_last_mb=%.1f"
                        + " loss_first=%.4f loss_last=%.4f%n",
                steps,
                arraysFirst,
                model.getManagedArrays().size(),
                work.getManagedArrays().size(),
                rssAtWarm,
                rssAtHalf,
                rssMb(),
                firstLoss,
                lastLoss);
    }

    private static NDArray heads(NDArray x) {
        return x.reshape(B, T, H, D / H).transpose(0, 2, 1, 3);
    }

    static double rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private SoakRun() {}
}
