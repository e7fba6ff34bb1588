package dev.alpharl.rewards;

import static org.assertj.core.api.Assertions.assertThat;

import dev.alpharl.rewards.math.MathEquivalence;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs the hand-written table in math_answers.txt through the math reward of each style. */
class MathAnswerTableTest {
    private static final String FILLER = "We keep thinking about the problem and check every step again carefully. "
            .repeat(6)
            .substring(0, 400);

    record Row(int line, String style, boolean correct, String gold, String completion) {}

    static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (TableFile.Line line : TableFile.read("math_answers.txt", 4, 1)) {
            String[] cols = line.columns();
            String completion = cols[3].replace("<NL>", "\n").replace("<PAD400>", FILLER);
            rows.add(new Row(line.number(), cols[0], cols[1].equals("1"), cols[2], completion));
        }
        return rows;
    }

    static Stream<Arguments> cases() throws IOException {
        return rows().stream().map(r -> Arguments.of(r.line(), r.style(), r.correct(), r.gold(), r.completion()));
    }

    @Test
    void tableCoversAllThreeConventionsWithAtLeast150Cases() throws IOException {
        List<Row> rows = rows();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(150);
        assertThat(rows).extracting(Row::style).contains("math", "gsm8k", "dapo");
        assertThat(rows).filteredOn(r -> !r.correct()).hasSizeGreaterThanOrEqualTo(40);
    }

    /** Laws of an equivalence on every answer pair of the table: reflexive on golds, symmetric on pairs. */
    @Test
    void equivalenceIsReflexiveAndSymmetricOnTheTable() throws IOException {
        MathEquivalence eq = MathEquivalence.relativeTolerance(1e-4);
        int pairs = 0;
        for (Row row : rows()) {
            RewardResult r = new MathAnswerReward(MathAnswerReward.Config.gsm8k())
                    .score("", row.completion(), Map.of("answer", row.gold()));
            String gold = (String) r.diagnostics().get("gold");
            assertThat(eq.equivalentNormalized(gold, gold))
                    .as("line %d: %s = itself", row.line(), gold)
                    .isTrue();
            Object predicted = r.diagnostics().get("extracted");
            if (predicted == null) continue;
            pairs++;
            assertThat(eq.equivalentNormalized((String) predicted, gold))
                    .as("line %d: symmetric on %s vs %s", row.line(), predicted, gold)
                    .isEqualTo(eq.equivalentNormalized(gold, (String) predicted));
        }
        assertThat(pairs).isGreaterThan(150);
    }

    @ParameterizedTest(name = "line {0} [{1}] expect correct={2}: gold {3}")
    @MethodSource("cases")
    void scoresAsWrittenInTheTable(int line, String style, boolean correct, String gold, String completion) {
        MathAnswerReward.Config config = switch (style) {
            case "gsm8k" -> MathAnswerReward.Config.gsm8k();
            case "dapo" -> MathAnswerReward.Config.dapo();
            case "math" -> MathAnswerReward.Config.math();
            default -> throw new IllegalStateException("line " + line + ": unknown style " + style);
        };
        RewardResult result = new MathAnswerReward(config).score("", completion, Map.of("answer", gold));
        assertThat(result.score())
                .as("line %d: %s (diagnostics %s)", line, completion, result.diagnostics())
                .isEqualTo(correct ? config.correct() : config.wrong());
        assertThat(result.error()).isFalse();
    }
}
