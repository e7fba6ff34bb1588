package dev.alpharl.bench;

import dev.alpharl.trainer.eval.EvalResult;
import dev.alpharl.trainer.report.GainRetained;
import dev.alpharl.trainer.report.Interval;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Pools the {@code sweep.tsv} of several runs that differ only in their seed (docs/results.md "The reasoning
 * regime"). Per run, the gain retained by a variant at window k is R = (a − c)/(b − c) with a its accuracy, b the
 * full run's and c the base's; pooled over n runs, the table gives the mean R̄ with a Student-t 95% interval over
 * the runs, R̄ ± t(0.975, n − 1)·s/√n, which carries both the seed-to-seed spread and each run's evaluation noise,
 * and the paired difference to a reference variant (by default stopping at W_k), D_s = R_s − R_ref,s, with its own t
 * interval: a variant beats the reference when that interval lies above 0. With a single run there is no spread to
 * estimate: R's interval is then {@link GainRetained}'s bootstrap over evaluation noise, and the verdict asks the
 * variant's interval to clear the reference row's.
 */
final class SweepPool {

    static final String STOP = "stop at k";
    private static final String BASE = "base";
    private static final String FULL = "full";
    private static final String CHECKPOINT = "checkpoint (y)";

    /** One run's sweep: base and full evaluations, and every (window, variant) row. */
    record Run(String name, long seed, long target, EvalResult base, EvalResult full, Map<Key, EvalResult> rows) {

        Optional<Double> retained(Key key) {
            EvalResult a = rows.get(key);
            return a == null ? Optional.empty() : GainRetained.of(a, full, base).estimate();
        }

        /** The bootstrap interval of R at {@code key} (a row with a defined R). */
        Interval ci95(Key key) {
            return GainRetained.of(rows.get(key), full, base).ci95();
        }
    }

    /** A window end and a variant label. */
    record Key(long k, String variant) {}

    /**
     * One pooled cell.
     *
     * @param perRun   R of each run, in the order given
     * @param mean     R̄
     * @param interval R̄'s 95% interval (see the class comment)
     * @param delta    mean paired difference to the reference row (NaN for the reference row itself)
     * @param deltaInterval its 95% interval (null with a single run, or for the reference row)
     * @param verdict  "above", "below" or "within" (empty for the reference row)
     */
    record Cell(
            List<Double> perRun,
            double mean,
            Interval interval,
            double delta,
            Interval deltaInterval,
            String verdict) {}

    private SweepPool() {}

    /** Reads a run's {@code sweep.tsv} (seed, k, variant, accuracy, n). */
    static Run read(Path runDir) throws IOException {
        Path tsv = runDir.resolve("sweep.tsv");
        if (!Files.isRegularFile(tsv)) {
            throw new IllegalArgumentException(runDir + " has no sweep.tsv (run bench.jar sweep on it first)");
        }
        List<String> lines = Files.readAllLines(tsv);
        Map<Key, EvalResult> rows = new LinkedHashMap<>();
        EvalResult base = null;
        EvalResult full = null;
        long seed = 0;
        long target = 0;
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t");
            if (f.length != 5) {
                throw new IllegalArgumentException(
                        tsv + " line " + (i + 1) + ": expected 5 tab-separated fields (seed, k, variant, accuracy, n)");
            }
            seed = Long.parseLong(f[0]);
            long k = Long.parseLong(f[1]);
            EvalResult r = EvalResult.ofAccuracy(Double.parseDouble(f[3]), Integer.parseInt(f[4]));
            switch (f[2]) {
                case BASE -> base = r;
                case FULL -> {
                    full = r;
                    target = k;
                }
                case CHECKPOINT -> {}
                default -> rows.put(new Key(k, f[2]), r);
            }
        }
        if (base == null || full == null) {
            throw new IllegalArgumentException(tsv + ": no base or full row (an unfinished sweep?)");
        }
        return new Run(runDir.getFileName().toString(), seed, target, base, full, rows);
    }

    /** {@link #pool(List, String)} against stopping at W_k. */
    static Map<Key, Cell> pool(List<Run> runs) {
        return pool(runs, STOP);
    }

    /**
     * The pooled cells of every (window, variant) that all runs have, in the first run's row order, each compared
     * with the variant {@code reference} of its window.
     */
    static Map<Key, Cell> pool(List<Run> runs, String reference) {
        for (Run run : runs) {
            if (run.target() != runs.get(0).target()) {
                throw new IllegalArgumentException("runs of different lengths cannot be pooled: " + run.name() + " has "
                        + run.target() + " steps, " + runs.get(0).name() + " "
                        + runs.get(0).target());
            }
        }
        Map<Key, Cell> cells = new LinkedHashMap<>();
        for (Key key : runs.get(0).rows().keySet()) {
            List<Double> r = values(runs, key);
            if (r == null) {
                continue;
            }
            Key referenceKey = new Key(key.k(), reference);
            List<Double> ref = key.equals(referenceKey) ? null : values(runs, referenceKey);
            cells.put(key, runs.size() == 1 ? single(runs.get(0), key, referenceKey, r, ref) : pooled(r, ref));
        }
        return cells;
    }

    /** One run: R's bootstrap interval; the verdict asks it to clear the reference's (null ref: no comparison). */
    private static Cell single(Run run, Key key, Key referenceKey, List<Double> r, List<Double> ref) {
        Interval ci = run.ci95(key);
        if (ref == null) {
            return new Cell(r, r.get(0), ci, Double.NaN, null, "");
        }
        Interval refCi = run.ci95(referenceKey);
        return new Cell(
                r,
                r.get(0),
                ci,
                r.get(0) - ref.get(0),
                null,
                verdict(ci.low() - refCi.high(), ci.high() - refCi.low()));
    }

    /** Several runs: t intervals of R̄ and of the paired difference to the reference (null ref: no comparison). */
    private static Cell pooled(List<Double> r, List<Double> ref) {
        if (ref == null) {
            return new Cell(r, mean(r), tInterval(r), Double.NaN, null, "");
        }
        List<Double> d = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            d.add(r.get(i) - ref.get(i));
        }
        Interval dci = tInterval(d);
        return new Cell(r, mean(r), tInterval(r), mean(d), dci, verdict(dci.low(), dci.high()));
    }

    private static String verdict(double low, double high) {
        return low > 0 ? "above" : high < 0 ? "below" : "within";
    }

    /** R of every run at {@code key}, or null when a run lacks the row or has no gain. */
    private static List<Double> values(List<Run> runs, Key key) {
        List<Double> r = new ArrayList<>();
        for (Run run : runs) {
            Optional<Double> v = run.retained(key);
            if (v.isEmpty()) {
                return null;
            }
            r.add(v.get());
        }
        return r;
    }

    static double mean(List<Double> x) {
        return x.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** x̄ ± t(0.975, n − 1)·s/√n, for n ≥ 2. */
    static Interval tInterval(List<Double> x) {
        int n = x.size();
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        double half = new TDistribution(null, n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(ss / (n - 1) / n);
        return new Interval(m - half, m + half);
    }

    /** The pooled table as markdown, one block per window (percent of the target step). */
    static String markdown(List<Run> runs, Map<Key, Cell> cells, String reference) {
        StringBuilder out = new StringBuilder();
        Set<Long> windows = new LinkedHashSet<>();
        cells.keySet().forEach(key -> windows.add(key.k()));
        long target = runs.get(0).target();
        List<String> names =
                runs.stream().map(r -> r.name() + " (seed " + r.seed() + ")").toList();
        out.append(String.format(
                Locale.ROOT,
                "Gain retained R = (a − base)/(full − base) pooled over %d run(s): %s; %s.%n",
                runs.size(),
                String.join(", ", names),
                runs.size() == 1
                        ? "interval = bootstrap over evaluation noise"
                        : "interval = mean ± t(0.975, n−1)·s/√n over the runs; Δ = paired difference to \"" + reference
                                + "\""));
        for (long k : windows) {
            out.append(String.format(
                    Locale.ROOT, "%nWindow k = %d (%.0f%% of %d steps)%n%n", k, 100.0 * k / target, target));
            out.append("| variant | R per run | R̄ [95%] | Δ vs reference [95%] | vs " + reference + " |\n"
                    + "|---|---|---|---|---|\n");
            cells.forEach((key, cell) -> {
                if (key.k() != k) {
                    return;
                }
                String perRun = String.join(
                        ", ",
                        cell.perRun().stream()
                                .map(v -> String.format(Locale.ROOT, "%.2f", v))
                                .toList());
                String delta = Double.isNaN(cell.delta())
                        ? ""
                        : cell.deltaInterval() == null
                                ? String.format(Locale.ROOT, "%+.2f", cell.delta())
                                : String.format(
                                        Locale.ROOT,
                                        "%+.2f [%+.2f, %+.2f]",
                                        cell.delta(),
                                        cell.deltaInterval().low(),
                                        cell.deltaInterval().high());
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %.2f [%s, %s] | %s | %s |%n",
                        key.variant(),
                        perRun,
                        cell.mean(),
                        bound(cell.interval().low()),
                        bound(cell.interval().high()),
                        delta,
                        cell.verdict()));
            });
        }
        return out.toString();
    }

    private static String bound(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : (v > 0 ? "∞" : "−∞");
    }
}
