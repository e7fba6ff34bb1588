package dev.alpharl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.alpharl.trainer.config.OptimConfig;
import dev.alpharl.trainer.rl.AlgorithmSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code bench/reference/rl_step_ref.py} (HF generate + TRL's GRPO step in PyTorch eager) on the model
 * directory and the replay file the JVM side wrote, with the JVM's thread count and the trainer config's optimizer
 * and loss settings, and reads its result (see {@link ReferenceRun#execute}).
 */
final class RlReferenceRun {

    /**
     * What the reference reported: its timed steps and their median phase times ({@code prefill_s}, {@code
     * decode_s}, {@code forward_s}, {@code backward_s}, {@code optimizer_s}, ...); its token counts; every step's
     * loss and pre-clip gradient norm; its peak resident memory; and the share of the CPU other processes took while
     * it ran (NaN when unknown).
     */
    record Result(
            String implementation,
            int threads,
            String blas,
            List<RlStepTimes> timed,
            Map<String, Double> medianPhases,
            long generatedTokens,
            long trainedTokens,
            long paddedTrainedTokens,
            int decodeSteps,
            List<Double> losses,
            List<Double> gradNorms,
            long peakRssBytes,
            double otherCpuShare) {}

    private RlReferenceRun() {}

    static Result run(Path python, Path script, Path modelDir, Path inputs, RlStepSettings s, int threads)
            throws IOException, InterruptedException {
        OptimConfig o = s.config().optim();
        AlgorithmSpec spec = s.algorithm();
        List<String> command = List.of(
                python.toString(),
                script.toString(),
                "--model",
                modelDir.toString(),
                "--inputs",
                inputs.toString(),
                "--threads",
                Integer.toString(threads),
                "--warmup",
                Integer.toString(s.warmup()),
                "--iters",
                Integer.toString(s.iters()),
                "--weight-decay",
                Double.toString(o.weightDecay()),
                "--betas",
                o.betas().get(0) + "," + o.betas().get(1),
                "--eps",
                Double.toString(o.eps()),
                "--grad-clip",
                Double.toString(o.gradClip()),
                "--clip-low",
                Double.toString(spec.clip().epsLow()),
                "--clip-high",
                Double.toString(spec.clip().epsHigh()),
                "--adv-eps",
                Double.toString(spec.advantageOptions().eps()),
                "--temperature",
                Double.toString(s.config().rollout().temperature()),
                "--seed",
                Long.toString(s.seed()));
        CpuShare.Sample start = CpuShare.sample();
        Result r = parse(ReferenceRun.execute(command, script));
        return new Result(
                r.implementation(),
                r.threads(),
                r.blas(),
                r.timed(),
                r.medianPhases(),
                r.generatedTokens(),
                r.trainedTokens(),
                r.paddedTrainedTokens(),
                r.decodeSteps(),
                r.losses(),
                r.gradNorms(),
                r.peakRssBytes(),
                CpuShare.othersShare(start, CpuShare.sample()));
    }

    /** The result from the script's stdout (other CPU share unknown: NaN). */
    static Result parse(String stdout) {
        JsonNode n = ReferenceRun.resultLine(stdout);
        List<RlStepTimes> timed = new ArrayList<>();
        Map<String, List<Double>> phases = new LinkedHashMap<>();
        for (JsonNode step : ReferenceRun.required(n, "steps")) {
            timed.add(new RlStepTimes(
                    ReferenceRun.number(step, "rollout_s"),
                    ReferenceRun.number(step, "reward_s"),
                    ReferenceRun.number(step, "update_s"),
                    ReferenceRun.number(step, "step_s")));
            step.fieldNames()
                    .forEachRemaining(k ->
                            phases.computeIfAbsent(k, x -> new ArrayList<>()).add(ReferenceRun.number(step, k)));
        }
        if (timed.isEmpty()) {
            throw new IllegalStateException("the reference reported no timed step");
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        phases.forEach((k, v) -> medians.put(
                k, JvmBench.median(v.stream().mapToDouble(Double::doubleValue).toArray())));
        return new Result(
                ReferenceRun.required(n, "implementation").asText(),
                ReferenceRun.required(n, "threads").asInt(),
                ReferenceRun.required(n, "blas").asText(),
                timed,
                medians,
                ReferenceRun.required(n, "generated_tokens").asLong(),
                ReferenceRun.required(n, "update_tokens").asLong(),
                ReferenceRun.required(n, "padded_update_tokens").asLong(),
                ReferenceRun.required(n, "decode_steps").asInt(),
                numbers(n, "losses"),
                numbers(n, "grad_norms"),
                ReferenceRun.required(n, "peak_rss_bytes").asLong(),
                Double.NaN);
    }

    private static List<Double> numbers(JsonNode n, String key) {
        List<Double> out = new ArrayList<>();
        ReferenceRun.required(n, key).forEach(x -> out.add(x.asDouble()));
        return out;
    }
}
