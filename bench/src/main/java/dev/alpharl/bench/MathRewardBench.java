package dev.alpharl.bench;

import dev.alpharl.rewards.MathAnswerReward;
import dev.alpharl.rewards.RewardFunction;
import dev.alpharl.rewards.Rewards;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of the {@code math} reward (issue 12): completions scored per second on a fixed corpus of
 * GSM8K-style and MATH-style completions of typical length (about 200–600 tokens of reasoning ending in an
 * answer, half of them right), and the slowest single call. No JMH: a warm-up pass, then timed passes.
 *
 * <pre>
 * java -cp rewards/target/classes:bench/target/classes dev.alpharl.bench.MathRewardBench [seconds] [threads]
 * </pre>
 * Prints a Markdown table: the reward called directly on 1 and on {@code threads} threads, and through the
 * registry ({@link Rewards#create}: the guarded function the trainer uses, with its timeout thread hop).
 */
public final class MathRewardBench {
    private MathRewardBench() {}

    /** A completion, its gold answer, and whether the completion's final answer is right (by construction). */
    record Sample(String completion, String gold, boolean right) {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<Sample> corpus = corpus(2000, 12345);
        double meanChars =
                corpus.stream().mapToInt(s -> s.completion().length()).average().orElse(0);

        RewardFunction direct = new MathAnswerReward(MathAnswerReward.Config.math());
        RewardFunction guarded = Rewards.create("math", Map.of());
        int correct = 0, agree = 0;
        for (Sample s : corpus) {
            boolean scored =
                    direct.score("", s.completion(), Map.of("answer", s.gold())).score() == 1.0;
            if (scored) correct++;
            if (scored == s.right()) agree++;
        }

        run(direct, corpus, 1, Math.max(2, seconds / 2)); // warm-up: JIT
        run(direct, corpus, threads, Math.max(1, seconds / 4));
        Result one = run(direct, corpus, 1, seconds);
        Result many = run(direct, corpus, threads, seconds);
        Result viaRegistry = run(guarded, corpus, threads, seconds);
        double[] latency = latency(direct, corpus, 5);

        System.out.printf(
                Locale.ROOT,
                "%nmath reward (default style), %d completions, mean %.0f characters (~%.0f tokens), %d scored"
                        + " correct, %d/%d as constructed; %s, %d available processors%n%n",
                corpus.size(),
                meanChars,
                meanChars / 4,
                correct,
                agree,
                corpus.size(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        System.out.println("| setting | threads | completions/s | max ms per call |");
        System.out.println("|---|---|---|---|");
        print("MathAnswerReward.score", 1, one);
        print("MathAnswerReward.score", threads, many);
        print("Rewards.create(\"math\") (guarded)", threads, viaRegistry);
        System.out.printf(
                Locale.ROOT,
                "%nper call, one thread: median %.3f ms, p99 %.3f ms; slowest completion (its best of 5 runs, so"
                        + " without GC and scheduler pauses) %.3f ms; largest CPU time of a single call %.3f ms%n",
                latency[0],
                latency[1],
                latency[2],
                latency[3]);
    }

    /**
     * Median and p99 of single calls (wall time), the largest per-completion best-of-{@code runs} wall time, and
     * the largest CPU time of any single call (thread CPU time excludes waiting for a core on a shared machine),
     * in ms.
     */
    private static double[] latency(RewardFunction reward, List<Sample> corpus, int runs) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] best = new long[corpus.size()];
        long[] all = new long[corpus.size() * runs];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        long maxCpu = 0;
        int k = 0;
        for (int run = 0; run < runs; run++) {
            for (int i = 0; i < corpus.size(); i++) {
                Sample s = corpus.get(i);
                long c0 = cpu.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                reward.score("", s.completion(), Map.of("answer", s.gold()));
                long took = System.nanoTime() - t0;
                maxCpu = Math.max(maxCpu, cpu.getCurrentThreadCpuTime() - c0);
                best[i] = Math.min(best[i], took);
                all[k++] = took;
            }
        }
        java.util.Arrays.sort(all);
        long worstBest = java.util.Arrays.stream(best).max().orElse(0);
        return new double[] {all[all.length / 2] / 1e6, all[all.length * 99 / 100] / 1e6, worstBest / 1e6, maxCpu / 1e6
        };
    }

    private static void print(String what, int threads, Result r) {
        System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.2f |%n", what, threads, r.perSecond(), r.maxMillis());
    }

    record Result(double perSecond, double maxMillis) {}

    /** Scores the corpus round-robin on {@code threads} threads for about {@code seconds}. */
    private static Result run(RewardFunction reward, List<Sample> corpus, int threads, double seconds)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong calls = new AtomicLong();
        AtomicLong maxNanos = new AtomicLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        List<Future<?>> jobs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t * 997;
            jobs.add(pool.submit(() -> {
                int i = offset;
                while (System.nanoTime() < deadline) {
                    Sample s = corpus.get(i++ % corpus.size());
                    long t0 = System.nanoTime();
                    reward.score("", s.completion(), Map.of("answer", s.gold()));
                    long took = System.nanoTime() - t0;
                    maxNanos.accumulateAndGet(took, Math::max);
                    calls.incrementAndGet();
                }
            }));
        }
        for (Future<?> f : jobs) f.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return new Result(calls.get() / elapsed, maxNanos.get() / 1e6);
    }

    // ---- the corpus ----------------------------------------------------------------------------------------------

    private static final String[] NAMES = {"Natalia", "Weng", "Betty", "Julie", "James", "Albert", "Ken", "Alexis"};
    private static final String[] ITEMS = {"clips", "apples", "books", "eggs", "cups", "pages", "tickets", "shirts"};

    /** Half GSM8K-style (prose ending in "#### N", "The answer is N" or a sentence), half MATH-style. */
    static List<Sample> corpus(int n, long seed) {
        Random r = new Random(seed);
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(i % 2 == 0 ? gsm8k(r) : math(r));
        return out;
    }

    private static Sample gsm8k(Random r) {
        String name = NAMES[r.nextInt(NAMES.length)], item = ITEMS[r.nextInt(ITEMS.length)];
        StringBuilder b = new StringBuilder();
        long total = 0;
        int steps = 6 + r.nextInt(10);
        b.append("Let's work through this step by step. ")
                .append(name)
                .append(" starts with no ")
                .append(item);
        b.append(" and we need to track how the count changes over the week.\n\n");
        for (int s = 1; s <= steps; s++) {
            int a = 2 + r.nextInt(90), c = 2 + r.nextInt(12);
            long v = (long) a * c;
            total += v;
            b.append("Step ")
                    .append(s)
                    .append(": On day ")
                    .append(s)
                    .append(", ")
                    .append(name)
                    .append(" buys ")
                    .append(c)
                    .append(" packs of ")
                    .append(a)
                    .append(' ')
                    .append(item)
                    .append(", so that is ")
                    .append(c)
                    .append(" * ")
                    .append(a)
                    .append(" = <<")
                    .append(c)
                    .append('*')
                    .append(a)
                    .append('=')
                    .append(v)
                    .append(">>")
                    .append(v)
                    .append(' ')
                    .append(item)
                    .append(". ");
            b.append("Adding this to the running total gives ")
                    .append(total)
                    .append(' ')
                    .append(item)
                    .append(".\n");
        }
        long price = 1 + r.nextInt(9);
        long answer = total * price;
        b.append("\nEach of the ")
                .append(item)
                .append(" costs $")
                .append(price)
                .append(", so the total cost is ")
                .append(total)
                .append(" * $")
                .append(price)
                .append(" = $")
                .append(String.format("%,d", answer))
                .append(".\n");
        long said = r.nextBoolean() ? answer : answer + 1 + r.nextInt(5);
        switch (r.nextInt(3)) {
            case 0 -> b.append("#### ").append(said);
            case 1 ->
                b.append("The answer is ").append(String.format("%,d", said)).append('.');
            default ->
                b.append("So ").append(name).append(" spends $").append(said).append(" in total.");
        }
        return new Sample(b.toString(), Long.toString(answer), said == answer);
    }

    private static final String[][] MATH_ANSWERS = {
        {"\\frac{3}{4}", "\\dfrac{3}{4}", "0.75", "\\frac{2}{3}"},
        {"2\\sqrt{3}", "\\sqrt{12}", "2\\sqrt3", "3\\sqrt{2}"},
        {
            "(-\\infty, 2) \\cup (3, \\infty)",
            "(3,\\infty)\\cup(-\\infty,2)",
            "(-\\infty,2)\\cup(3,+\\infty)",
            "(-\\infty,2]\\cup(3,\\infty)"
        },
        {"\\frac{\\pi}{6}", "\\frac{1}{6}\\pi", "\\pi/6", "\\frac{\\pi}{3}"},
        {"x^2+2x+1", "(x+1)^2", "(1+x)^2", "(x-1)^2"},
        {
            "\\begin{pmatrix} 1 \\\\ -2 \\end{pmatrix}",
            "\\begin{pmatrix}1\\\\-2\\end{pmatrix}",
            "\\begin{bmatrix}1\\\\-2\\end{bmatrix}",
            "\\begin{pmatrix} -2 \\\\ 1 \\end{pmatrix}"
        },
        {"\\{1, 3\\}", "\\{3,1\\}", "1, 3", "\\{1,2\\}"},
        {"k = \\frac{5}{2}", "\\frac{5}{2}", "2.5", "\\frac{2}{5}"},
        {"12\\%", "12", "0.12", "1.2"},
    };

    private static Sample math(Random r) {
        String[] kind = MATH_ANSWERS[r.nextInt(MATH_ANSWERS.length)];
        StringBuilder b = new StringBuilder();
        b.append("We begin by rewriting the expression. Let $f(x) = ax^2 + bx + c$ with $a = ")
                .append(1 + r.nextInt(5))
                .append("$.\n\n");
        int paragraphs = 3 + r.nextInt(5);
        for (int p = 0; p < paragraphs; p++) {
            int u = 2 + r.nextInt(20), v = 2 + r.nextInt(20);
            b.append("Substituting $x = ")
                    .append(u)
                    .append("$ gives \\[ f(")
                    .append(u)
                    .append(") = \\frac{")
                    .append(u * v)
                    .append("}{")
                    .append(v)
                    .append("} + \\sqrt{")
                    .append(u * u)
                    .append("} = ")
                    .append(2 * u)
                    .append(". \\]\nNext we compare the coefficients: since $")
                    .append(u)
                    .append(" + ")
                    .append(v)
                    .append(" = ")
                    .append(u + v)
                    .append("$, the discriminant $b^2 - 4ac$ must be positive, and the roots satisfy ")
                    .append("$x_1 + x_2 = -\\frac{b}{a}$ and $x_1 x_2 = \\frac{c}{a}$. ")
                    .append("Checking the boundary case separately, nothing changes.\n\n");
        }
        boolean right = r.nextInt(4) != 0;
        String said = right ? kind[r.nextInt(3)] : kind[3];
        switch (r.nextInt(3)) {
            case 0 ->
                b.append("Therefore, the final answer is $\\boxed{")
                        .append(said)
                        .append("}$.");
            case 1 -> b.append("The answer is $").append(said).append("$.");
            default ->
                b.append("Final Answer: The final answer is $").append(said).append("$. I hope it is correct.");
        }
        return new Sample(b.toString(), kind[0], right);
    }
}
