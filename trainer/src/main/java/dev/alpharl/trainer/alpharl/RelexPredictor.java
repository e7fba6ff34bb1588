package dev.alpharl.trainer.alpharl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;

/**
 * RELEX's prediction (ALPHARL.md §9.1, r = 1, linear fit), per tensor with trajectory M = [vec Δ_1; …; vec Δ_T]:
 * <pre>
 *   G = M Mᵀ = U Λ Uᵀ (fp64, Commons Math);  u = top eigenvector, s = √λ1
 *   V = Mᵀ u / s          (unit direction, streamed from the stored deltas)
 *   c_t = s·u_t           (= ⟨Δ_t, V⟩)
 *   c(τ) = α τ + β        (OLS over τ = the snapshots' step numbers)
 *   θ̂ = θ_0 + c(s*)·V
 * </pre>
 * A tensor whose trajectory is zero (λ1 = 0) keeps θ_0. The sign of (u, V) is fixed so that c at the last step is
 * non-negative (it cancels in c·V). When only some tensors are extrapolated (RELEX's paper does all of them; a
 * small model's embeddings and norms may not follow a line), the others keep their last observed value
 * θ_k = θ_0 + Δ_k, as AlphaRL's matrices outside its set keep W_k.
 */
public final class RelexPredictor {

    /** Predicted weights (new arrays on the caller's manager) and the fit report. */
    public record Prediction(Map<String, NDArray> weights, RelexFitReport report) {}

    private RelexPredictor() {}

    /** Extrapolates every tensor of the trajectory. */
    public static Prediction predict(RelexTrajectory trajectory, long targetStep, NDManager out) throws IOException {
        return predict(trajectory, targetStep, name -> true, out);
    }

    /** Extrapolates the tensors {@code extrapolated} accepts; the others keep θ_k. */
    public static Prediction predict(
            RelexTrajectory trajectory, long targetStep, Predicate<String> extrapolated, NDManager out)
            throws IOException {
        List<Long> steps = trajectory.steps();
        int n = steps.size();
        if (n < 2) {
            throw new IllegalArgumentException("RELEX needs at least 2 snapshots, got " + n);
        }
        double[] tau = steps.stream().mapToDouble(Long::doubleValue).toArray();
        Map<String, double[]> coefficientOfDelta = new LinkedHashMap<>();
        Map<String, Double> targetCoefficient = new LinkedHashMap<>();
        List<RelexFitReport.TensorFit> fits = new ArrayList<>();
        for (String name : trajectory.tensors()) {
            if (!extrapolated.test(name)) {
                // θ_k = θ_0 + Δ_k: the last delta with coefficient 1
                double[] last = new double[n];
                last[n - 1] = 1;
                coefficientOfDelta.put(name, last);
                continue;
            }
            EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(trajectory.gram(name), false));
            double[] lambda = eig.getRealEigenvalues();
            int top = 0;
            double trace = 0;
            for (int i = 0; i < lambda.length; i++) {
                trace += lambda[i];
                if (lambda[i] > lambda[top]) {
                    top = i;
                }
            }
            if (!(lambda[top] > 0)) {
                fits.add(new RelexFitReport.TensorFit(name, 0, 0, 0, Double.NaN, 0, 0));
                continue;
            }
            double s = Math.sqrt(lambda[top]);
            double[] u = eig.getEigenvector(top).toArray();
            if (u[n - 1] < 0) {
                u = Vectors.negate(u);
            }
            double[] c = Vectors.scaled(u, s);
            LinearFit line = LinearFit.of(tau, c);
            double cStar = line.at(targetStep);
            // V = Σ_t u_t Δ_t / s, so θ̂ = θ_0 + Σ_t (c* u_t / s) Δ_t
            coefficientOfDelta.put(name, Vectors.scaled(u, cStar / s));
            targetCoefficient.put(name, cStar);
            fits.add(new RelexFitReport.TensorFit(
                    name, lambda[top] / trace, line.slope(), line.intercept(), line.rSquared(tau, c), c[n - 1], cStar));
        }
        Map<String, double[]> predicted = new LinkedHashMap<>();
        for (String name : coefficientOfDelta.keySet()) {
            predicted.put(
                    name,
                    new double[(int) trajectory.base().get(name).getShape().size()]);
        }
        for (int t = 0; t < n; t++) {
            try (SafetensorsFile deltas = trajectory.deltas(t)) {
                for (Map.Entry<String, double[]> e : predicted.entrySet()) {
                    double k = coefficientOfDelta.get(e.getKey())[t];
                    float[] d = deltas.readFloats(e.getKey());
                    double[] acc = e.getValue();
                    for (int i = 0; i < acc.length; i++) {
                        acc[i] += k * d[i];
                    }
                }
            }
        }
        Map<String, NDArray> weights = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : trajectory.base().entrySet()) {
            NDArray theta0 = e.getValue();
            double[] delta = predicted.get(e.getKey());
            NDArray w;
            if (delta == null) {
                w = out.create(theta0.toFloatArray(), theta0.getShape());
            } else {
                float[] base = theta0.toFloatArray();
                float[] sum = new float[base.length];
                for (int i = 0; i < sum.length; i++) {
                    sum[i] = (float) (base[i] + delta[i]);
                }
                w = out.create(sum, theta0.getShape());
            }
            weights.put(e.getKey(), w);
        }
        return new Prediction(weights, new RelexFitReport("relex", targetStep, steps, fits));
    }
}
