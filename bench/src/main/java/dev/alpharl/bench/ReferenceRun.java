package dev.alpharl.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the PyTorch-eager reference ({@code bench/reference/qwen_ref.py}) as a child process on the model directory
 * and inputs file the JVM side wrote, and reads the one JSON object it prints last on stdout. Its stderr (progress)
 * goes to this process's stderr.
 */
public final class ReferenceRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What the reference reported: its measurements, the library torch's sgemm came from, the logits check; and
     * the share of the machine's CPU that other processes took while it ran ({@link CpuShare}; NaN when unknown).
     */
    public record Result(
            Measurements measurements,
            String blas,
            double logitsMaxAbsError,
            double logitsMaxRelError,
            double otherCpuShare) {}

    private ReferenceRun() {}

    /**
     * Runs {@code python script ...} with the JVM's thread count and settings; fails with the exit code and the end
     * of its output when the script fails (exit 3: torch's sgemm is the netlib reference BLAS, or two OpenBLAS builds are loaded).
     */
    public static Result run(Path python, Path script, Path modelDir, Path inputs, BenchSettings s, int threads)
            throws IOException, InterruptedException {
        int[] gemm = s.gemmShape();
        List<String> command = List.of(
                python.toString(),
                script.toString(),
                "--model",
                modelDir.toString(),
                "--inputs",
                inputs.toString(),
                "--threads",
                Integer.toString(threads),
                "--iters",
                Integer.toString(s.iters()),
                "--warmup",
                Integer.toString(s.warmup()),
                "--lr",
                Double.toString(s.lr()),
                "--weight-decay",
                Double.toString(s.weightDecay()),
                "--gemm",
                gemm[0] + "," + gemm[1] + "," + gemm[2],
                "--seed",
                Long.toString(s.seed()));
        CpuShare.Sample start = CpuShare.sample();
        Result r = parse(execute(command, script));
        return new Result(
                r.measurements(),
                r.blas(),
                r.logitsMaxAbsError(),
                r.logitsMaxRelError(),
                CpuShare.othersShare(start, CpuShare.sample()));
    }

    /**
     * Runs a reference script's {@code command}, its stderr going to this process's stderr, and returns its stdout;
     * fails with the exit code and the end of its output when the script fails (exit 3: torch's sgemm is the netlib
     * reference BLAS, or two OpenBLAS builds are loaded).
     */
    static String execute(List<String> command, Path script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        process.getOutputStream().close();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        if (code != 0) {
            throw new IllegalStateException("the reference " + script + " failed with exit code " + code
                    + (code == 3 ? " (torch is not on a single optimized BLAS; see its message above)" : "")
                    + (stdout.isBlank() ? "" : "; its output ended with: " + tail(stdout, 600)));
        }
        return stdout;
    }

    /** A reference's JSON result: the last line of its stdout that starts with '{'. */
    static JsonNode resultLine(String stdout) {
        String line = null;
        for (String l : stdout.split("\n")) {
            if (l.startsWith("{")) {
                line = l;
            }
        }
        if (line == null) {
            throw new IllegalStateException(
                    "the reference printed no JSON result line; its output was: " + tail(stdout, 600));
        }
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "the reference's result line is not valid JSON: " + e.getOriginalMessage() + " in: "
                            + tail(line, 300),
                    e);
        }
    }

    /** The result from the reference's stdout: the last line that starts with '{' must be its JSON object. */
    static Result parse(String stdout) {
        JsonNode n = resultLine(stdout);
        List<Double> losses = new ArrayList<>();
        required(n, "train_losses").forEach(x -> losses.add(x.asDouble()));
        Measurements m = new Measurements(
                required(n, "implementation").asText(),
                required(n, "threads").asInt(),
                number(n, "gemm_gflops"),
                number(n, "rollout_tokens_per_s"),
                number(n, "train_step_s"),
                losses,
                number(n, "first_grad_norm"),
                required(n, "peak_rss_bytes").asLong(),
                number(n, "optimizer_step_s"));
        return new Result(
                m,
                required(n, "blas").asText(),
                number(n, "logits_max_abs_error"),
                number(n, "logits_max_rel_error"),
                Double.NaN);
    }

    static JsonNode required(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new IllegalStateException("the reference's result lacks key '" + key + "'");
        }
        return v;
    }

    static double number(JsonNode n, String key) {
        JsonNode v = required(n, key);
        if (!v.isNumber()) {
            throw new IllegalStateException("the reference's result key '" + key + "' is not a number: " + v);
        }
        return v.asDouble();
    }

    private static String tail(String s, int chars) {
        String t = s.strip();
        return t.length() <= chars ? t : "…" + t.substring(t.length() - chars);
    }
}
