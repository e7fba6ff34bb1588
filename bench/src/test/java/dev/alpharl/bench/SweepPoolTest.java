package dev.alpharl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepPoolTest {

    @TempDir
    Path dir;

    /** A sweep.tsv with base 0.4 and full 0.9 (gain 0.5) at n = 1000 and the given rows at window 12. */
    private Path run(String name, int seed, double stop, double good, double close) throws IOException {
        Path run = Files.createDirectories(dir.resolve(name));
        List<String> lines = new ArrayList<>();
        lines.add(seed + "\t0\tbase\t0.400000\t1000");
        lines.add(seed + "\t120\tfull\t0.900000\t1000");
        lines.add(seed + "\t12\tcheckpoint (y)\t0.450000\t1000");
        lines.add(seed + "\t12\tstop at k\t" + stop + "\t1000");
        lines.add(seed + "\t12\talpharl add y=accuracy h=1.00\t" + good + "\t1000");
        lines.add(seed + "\t12\trelex all h=1.00\t" + close + "\t1000");
        Files.write(run.resolve("sweep.tsv"), lines);
        return run;
    }

    /** R_stop = 0.1, 0.2, 0.3; R_good = 0.8, 0.9, 1.1; R_close = 0.0, 0.3, 0.3. */
    private List<SweepPool.Run> threeSeeds() throws IOException {
        return List.of(
                SweepPool.read(run("s1", 1, 0.45, 0.80, 0.40)),
                SweepPool.read(run("s2", 2, 0.50, 0.85, 0.55)),
                SweepPool.read(run("s3", 3, 0.55, 0.95, 0.55)));
    }

    @Test
    void poolsThreeSeedsWithStudentIntervalsAndPairedDifferences() throws IOException {
        // R_stop = 0.1, 0.2, 0.3; R_good = 0.8, 0.9, 1.1 (D = 0.7, 0.7, 0.8); R_close = 0.0, 0.3, 0.3 (D = −0.1, 0.1,
        // 0)
        List<SweepPool.Run> runs = threeSeeds();
        Map<SweepPool.Key, SweepPool.Cell> cells = SweepPool.pool(runs);
        assertThat(cells).hasSize(3); // checkpoint rows are not variants

        double t = 4.302652729749464; // t(0.975, 2)
        SweepPool.Cell stop = cells.get(new SweepPool.Key(12, SweepPool.STOP));
        assertThat(stop.mean()).isCloseTo(0.2, within(1e-12));
        assertThat(stop.interval().low()).isCloseTo(0.2 - t * 0.1 / Math.sqrt(3), within(1e-9));
        assertThat(stop.verdict()).isEmpty();

        SweepPool.Cell good = cells.get(new SweepPool.Key(12, "alpharl add y=accuracy h=1.00"));
        assertThat(good.perRun().stream().mapToDouble(Double::doubleValue).toArray())
                .containsExactly(new double[] {0.8, 0.9, 1.1}, within(1e-9));
        assertThat(good.delta()).isCloseTo(2.2 / 3, within(1e-12));
        double sd = Math.sqrt((2 * Math.pow(0.1 / 3, 2) + Math.pow(0.2 / 3, 2)) / 2);
        assertThat(good.deltaInterval().low()).isCloseTo(2.2 / 3 - t * sd / Math.sqrt(3), within(1e-9));
        assertThat(good.verdict()).isEqualTo("above");

        SweepPool.Cell close = cells.get(new SweepPool.Key(12, "relex all h=1.00"));
        assertThat(close.delta()).isCloseTo(0.0, within(1e-12));
        assertThat(close.verdict()).isEqualTo("within");

        String table = SweepPool.markdown(runs, cells, SweepPool.STOP);
        assertThat(table)
                .contains("Window k = 12 (10% of 120 steps)")
                .contains("| alpharl add y=accuracy h=1.00 | 0.80, 0.90, 1.10 | 0.93 [")
                .contains("| above |");
    }

    @Test
    void aSingleRunUsesTheBootstrapOverEvaluationNoise() throws IOException {
        List<SweepPool.Run> runs = List.of(SweepPool.read(run("s1", 1, 0.45, 0.85, 0.46)));
        Map<SweepPool.Key, SweepPool.Cell> cells = SweepPool.pool(runs);
        SweepPool.Cell good = cells.get(new SweepPool.Key(12, "alpharl add y=accuracy h=1.00"));
        assertThat(good.delta()).isCloseTo(0.8, within(1e-9));
        assertThat(good.deltaInterval()).isNull();
        // R = 0.9 with n = 1000 on all three evaluations: the bootstrap interval is about ±0.1
        assertThat(good.interval().low()).isBetween(0.78, 0.86);
        assertThat(good.verdict()).isEqualTo("above");
        // 0.46 vs 0.45: the intervals overlap
        assertThat(cells.get(new SweepPool.Key(12, "relex all h=1.00")).verdict())
                .isEqualTo("within");
    }

    @Test
    void comparesWithAnyReferenceVariant() throws IOException {
        // against relex: D = R_good − R_close = 0.8, 0.6, 0.8 (mean 0.733, interval above 0); relex itself has no Δ
        List<SweepPool.Run> runs = threeSeeds();
        Map<SweepPool.Key, SweepPool.Cell> cells = SweepPool.pool(runs, "relex all h=1.00");
        SweepPool.Cell good = cells.get(new SweepPool.Key(12, "alpharl add y=accuracy h=1.00"));
        assertThat(good.delta()).isCloseTo(2.2 / 3, within(1e-12));
        assertThat(good.verdict()).isEqualTo("above");
        // stop − relex: D = 0.1, −0.1, 0
        assertThat(cells.get(new SweepPool.Key(12, SweepPool.STOP)).verdict()).isEqualTo("within");
        assertThat(cells.get(new SweepPool.Key(12, "relex all h=1.00")).verdict())
                .isEmpty();
        assertThat(SweepPool.markdown(runs, cells, "relex all h=1.00")).contains("vs relex all h=1.00");
    }

    @Test
    void refusesUnfinishedSweepsAndRunsOfDifferentLengths() throws IOException {
        Path partial = Files.createDirectories(dir.resolve("partial"));
        Files.write(partial.resolve("sweep.tsv"), List.of("1\t0\tbase\t0.4\t1000"));
        assertThatThrownBy(() -> SweepPool.read(partial)).hasMessageContaining("no base or full row");
        Files.write(partial.resolve("sweep.tsv"), List.of("1\t0\tbase"));
        assertThatThrownBy(() -> SweepPool.read(partial)).hasMessageContaining("line 1: expected 5");
        assertThatThrownBy(() -> SweepPool.read(dir.resolve("none"))).hasMessageContaining("no sweep.tsv");

        SweepPool.Run a = SweepPool.read(run("a", 1, 0.45, 0.8, 0.4));
        Path b = run("b", 2, 0.45, 0.8, 0.4);
        Files.writeString(
                b.resolve("sweep.tsv"), Files.readString(b.resolve("sweep.tsv")).replace("\t120\t", "\t60\t"));
        assertThatThrownBy(() -> SweepPool.pool(List.of(a, SweepPool.read(b))))
                .hasMessageContaining("different lengths");
    }
}
