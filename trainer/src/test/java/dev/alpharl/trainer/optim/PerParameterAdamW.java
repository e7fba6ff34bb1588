package dev.alpharl.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference for the fused update: AdamW as the trainer computed it before (one chain of DJL element-wise ops
 * per parameter, torch's single-tensor formula), on plain arrays with explicitly given gradients:
 * <pre>
 *   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,  w ← w·(1 − lr·λ),
 *   w ← w − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
 * </pre>
 */
final class PerParameterAdamW {

    private final List<NDArray> weights;
    private final List<Double> weightDecays;
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private long steps;

    /** @param weightDecays the decay λ of each weight's group */
    PerParameterAdamW(List<NDArray> weights, List<Double> weightDecays, double beta1, double beta2, double eps) {
        this.weights = weights;
        this.weightDecays = weightDecays;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (NDArray w : weights) {
            firstMoments.add(w.getManager().zeros(w.getShape()));
            secondMoments.add(w.getManager().zeros(w.getShape()));
        }
    }

    /** One update; temporaries computed from a gradient land on the gradient's manager, the others are freed here. */
    void step(double lr, List<NDArray> gradients) {
        steps++;
        double bc1 = 1.0 - Math.pow(beta1, steps);
        double sqrtBc2 = Math.sqrt(1.0 - Math.pow(beta2, steps));
        try (NDManager tmp = weights.get(0).getManager().newSubManager()) {
            for (int i = 0; i < weights.size(); i++) {
                NDArray w = weights.get(i);
                NDArray g = gradients.get(i);
                NDArray m = firstMoments.get(i);
                NDArray v = secondMoments.get(i);
                m.muli((float) beta1).addi(g.mul((float) (1.0 - beta1)));
                v.muli((float) beta2).addi(g.square().muli((float) (1.0 - beta2)));
                if (weightDecays.get(i) != 0.0) {
                    w.muli((float) (1.0 - lr * weightDecays.get(i)));
                }
                NDArray denom = v.sqrt();
                denom.attach(tmp);
                denom.divi((float) sqrtBc2).addi((float) eps);
                NDArray update = m.div(denom);
                update.attach(tmp);
                w.subi(update.muli((float) (lr / bc1)));
            }
        }
    }

    List<NDArray> firstMoments() {
        return firstMoments;
    }

    List<NDArray> secondMoments() {
        return secondMoments;
    }
}
