package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The acceptance table of issue 12 (math_table.txt): hand-written cases by category, each positive followed by an
 * "off by one" negative. Every row is scored through the registry, as the trainer and the CLI build the reward;
 * agreement must be at least 95% in every category and 100% on the negatives (a wrong answer is never rewarded).
 */
class MathTableTest {

    record Row(
            int line, String category, Map<String, Object> options, boolean correct, String gold, String completion) {}

    record Outcome(Row row, RewardResult result, boolean agrees) {}

    private static List<Outcome> outcomes;

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (TableFile.Line line : TableFile.read("math_table.txt", 5, 2)) {
            String[] cols = line.columns();
            Map<String, Object> options = new LinkedHashMap<>();
            if (!cols[1].equals("-")) {
                for (String kv : cols[1].split(";")) {
                    String[] p = kv.split("=", 2);
                    options.put(p[0].strip(), p[1].strip());
                }
            }
            rows.add(new Row(
                    line.number(), cols[0], options, cols[2].equals("1"), cols[3], cols[4].replace("<NL>", "\n")));
        }
        return rows;
    }

    @BeforeAll
    static void scoreEveryRow() throws IOException {
        outcomes = new ArrayList<>();
        Map<Map<String, Object>, RewardFunction> rewards = new LinkedHashMap<>();
        for (Row row : rows()) {
            RewardFunction reward = rewards.computeIfAbsent(row.options(), o -> Rewards.create("math", o));
            RewardResult result = reward.score("", row.completion(), Map.of("answer", row.gold()));
            double expected = row.correct()
                    ? 1.0
                    : row.options().getOrDefault("style", "").equals("dapo") ? -1.0 : 0.0;
            outcomes.add(new Outcome(row, result, !result.error() && result.score() == expected));
        }
    }

    @Test
    void tableHasAtLeast300CasesWithANegativeForEveryPositive() throws IOException {
        List<Row> rows = rows();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(300);
        long positives = rows.stream().filter(Row::correct).count();
        long negatives = rows.size() - positives;
        assertThat(negatives).isGreaterThanOrEqualTo(positives);
        assertThat(rows.stream().map(Row::category).distinct().count()).isGreaterThanOrEqualTo(12);
        // each positive is followed by its negative
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).correct()) {
                assertThat(i + 1 < rows.size() && !rows.get(i + 1).correct())
                        .as(
                                "line %d: a positive case needs its negative right after it",
                                rows.get(i).line())
                        .isTrue();
            }
        }
    }

    /** Every gold of the table, boxed, is accepted for itself (the comparison is reflexive on real answers). */
    @Test
    void everyGoldBoxedScoresOneAgainstItself() throws IOException {
        RewardFunction math = Rewards.create("math", Map.of());
        List<String> refused = new ArrayList<>();
        for (Row row : rows()) {
            RewardResult r = math.score("", "\\boxed{" + row.gold() + "}", Map.of("answer", row.gold()));
            if (r.score() != 1.0) refused.add("line " + row.line() + ": " + row.gold() + " " + r.diagnostics());
        }
        assertThat(refused).isEmpty();
    }

    @Test
    void everyCategoryAgreesAtLeast95PercentAndEveryNegativeIsScoredWrong() {
        Map<String, int[]> byCategory = new TreeMap<>(); // [agree, total]
        List<String> disagreements = new ArrayList<>();
        List<String> rewardedNegatives = new ArrayList<>();
        for (Outcome o : outcomes) {
            int[] c = byCategory.computeIfAbsent(o.row().category(), k -> new int[2]);
            c[1]++;
            if (o.agrees()) c[0]++;
            else {
                String what = "line " + o.row().line() + " [" + o.row().category() + "] expected "
                        + (o.row().correct() ? "correct" : "wrong") + ": gold "
                        + o.row().gold() + " | "
                        + o.row().completion().replace("\n", "⏎") + " -> "
                        + o.result().diagnostics()
                        + (o.result().error() ? " ERROR " + o.result().errorMessage() : "");
                disagreements.add(what);
                if (!o.row().correct()) rewardedNegatives.add(what);
            }
        }
        StringBuilder table = new StringBuilder("| category | agreement |\n|---|---|\n");
        byCategory.forEach((k, c) -> table.append("| ")
                .append(k)
                .append(" | ")
                .append(c[0])
                .append("/")
                .append(c[1])
                .append(" |\n"));
        System.out.println(table);
        disagreements.forEach(System.out::println);
        assertThat(rewardedNegatives).as("negatives scored correct").isEmpty();
        byCategory.forEach((k, c) -> assertThat((double) c[0] / c[1])
                .as("agreement in category %s (%d/%d); disagreements: %s", k, c[0], c[1], disagreements)
                .isGreaterThanOrEqualTo(0.95));
    }
}
