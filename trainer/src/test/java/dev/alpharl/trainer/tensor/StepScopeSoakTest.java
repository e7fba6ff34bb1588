package dev.alpharl.trainer.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * 4,000 tiny training steps in a separate JVM with a fixed, pre-touched heap (so resident-memory growth is native
 * memory): the long-lived model manager must hold the same arrays at the end as after step 1, the per-step manager
 * nothing, and resident memory may grow by at most 64 MB from step 200 to the end, with a median growth under
 * 4 MB per 500 steps (a steady leak shows in every interval; the JVM's native memory rises in a few plateau
 * steps at unpredictable times). The leaky patterns in DJL.md grow by megabytes per step.
 */
class StepScopeSoakTest {

    @Test
    void fourThousandStepsKeepArraysAndResidentMemoryFlat() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xms256m",
                "-Xmx256m",
                "-XX:+AlwaysPreTouch",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                SoakRun.class.getName(),
                "4000"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // one malloc arena: glibc otherwise opens arenas per thread as threads first allocate, stepping RSS up
        // by tens of MB at unpredictable times, which would mask (or fake) a slow leak
        pb.environment().put("MALLOC_ARENA_MAX", "1");
        Process proc = pb.start();
        String summary = null;
        StringBuilder log = new StringBuilder();
        List<Double> rssEvery500 = new ArrayList<>();
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                log.append(line).append('\n');
                if (line.startsWith("SOAK ")) {
                    summary = line;
                } else if (line.startsWith("step=")) {
                    rssEvery500.add(Double.parseDouble(line.replaceAll(".*rss_mb=([0-9.]+).*", "$1")));
                }
            }
        }
        assertThat(proc.waitFor()).as(log.toString()).isZero();
        assertThat(summary).as(log.toString()).isNotNull();
        System.out.print(log);
        Map<String, Double> v = new HashMap<>();
        for (String kv : summary.substring(5).split(" ")) {
            String[] p = kv.split("=");
            v.put(p[0], Double.parseDouble(p[1]));
        }
        assertThat(v.get("arrays_last")).isEqualTo(v.get("arrays_first")).isEqualTo(18.0); // 6 weights + 12 moments
        assertThat(v.get("work_last")).isZero();
        assertThat(v.get("rss_last_mb") - v.get("rss_warm_mb"))
                .as("native growth after warm-up, MB")
                .isLessThan(64.0);
        // A steady leak raises RSS in every 500-step interval (8 kB per step is 4 MB per interval): the median
        // interval must stay under 4 MB (a quiet interval measured up to 1.7 MB on a machine shared with other jobs).
        // The JVM's own native memory (JIT code, compiler arenas) rises in a few plateau steps of 4-35 MB at
        // unpredictable times (CI measured 24, 4.3 and 13.6 MB in one run without a leak), so single intervals are
        // only bounded coarsely: at most two above 16 MB. The leaky patterns in DJL.md add megabytes per step, i.e.
        // hundreds of MB per interval, and fail every bound here.
        List<Double> deltas = new ArrayList<>();
        for (int i = 1; i < rssEvery500.size(); i++) {
            deltas.add(rssEvery500.get(i) - rssEvery500.get(i - 1));
        }
        assertThat(rssEvery500).hasSize(8);
        List<Double> sorted = deltas.stream().sorted().toList();
        assertThat(sorted.get(sorted.size() / 2))
                .as("median RSS growth per 500 steps, MB: %s", rssEvery500)
                .isLessThan(4.0);
        assertThat(deltas.stream().filter(d -> d > 16.0).count())
                .as("plateau steps in %s", rssEvery500)
                .isLessThanOrEqualTo(2);
        assertThat(v.get("loss_last")).as("the model learns").isLessThan(v.get("loss_first") * 0.5);
    }
}
