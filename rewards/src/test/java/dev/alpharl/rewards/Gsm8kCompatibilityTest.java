package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The tiny-model job (configs/tiny-default.yaml) scores a tiny model's bare-number answers with {@code style: gsm8k}; its
 * results must not move when the math reward changes. gsm8k_legacy_scores.tsv holds the scores the reward gave
 * before issue 12 (commit 7ba0ea8) on 6,400 completions drawn from the tiny model's own 47-character vocabulary:
 * bare and signed integers, gold ± 1, decimals near the gold (compared with the relative tolerance 1e-4), digits
 * mixed with letters, spaces, commas, '=' and newlines.
 */
class Gsm8kCompatibilityTest {

    record Case(int line, String gold, String completion, double score) {}

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(Gsm8kCompatibilityTest.class.getResourceAsStream("gsm8k_legacy_scores.tsv")),
                StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.startsWith("#")) continue;
                String[] cols = line.split("\t", -1);
                if (cols.length != 3)
                    throw new IllegalStateException("line " + n + ": expected 3 tab-separated columns");
                cases.add(new Case(n, cols[0], unescape(cols[1]), Double.parseDouble(cols[2])));
            }
        }
        return cases;
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                out.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Test
    void gsm8kStyleScoresEveryFrozenCaseAsBefore() throws IOException {
        List<Case> cases = cases();
        assertThat(cases).hasSizeGreaterThan(6000);
        assertThat(cases).filteredOn(c -> c.score() == 1.0).hasSizeGreaterThan(1000);
        RewardFunction gsm8k = Rewards.create("math", Map.of("style", "gsm8k"));
        List<String> changed = new ArrayList<>();
        for (Case c : cases) {
            RewardResult r = gsm8k.score("", c.completion(), Map.of("answer", c.gold()));
            assertThat(r.error()).as("line %d: %s", c.line(), r.errorMessage()).isFalse();
            if (r.score() != c.score())
                changed.add("line " + c.line() + ": gold " + c.gold() + ", completion '" + c.completion() + "' scored "
                        + r.score() + ", was " + c.score());
        }
        assertThat(changed).isEmpty();
    }
}
