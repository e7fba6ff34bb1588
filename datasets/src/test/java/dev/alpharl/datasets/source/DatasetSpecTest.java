package dev.alpharl.datasets.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.Fixtures;
import dev.alpharl.datasets.PromptSample;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetSpecTest {

    @Test
    void jsonlPathsResolveAgainstTheBaseDirectory() {
        List<PromptSample> s = DatasetSpec.load(
                Map.of("kind", "jsonl", "path", "gsm8k.jsonl", "format", "gsm8k"), Fixtures.dir(), "data.train");
        assertThat(s).extracting(PromptSample::answer).containsExactly("72", "1234", "-3");
        List<PromptSample> limited = DatasetSpec.load(
                Map.of("kind", "jsonl", "path", "gsm8k.jsonl", "format", "gsm8k", "limit", 2),
                Fixtures.dir(),
                "data.train");
        assertThat(limited).hasSize(2);
    }

    @Test
    void genericFieldOptionsAreHonoured() {
        List<PromptSample> s = DatasetSpec.load(
                Map.of(
                        "kind",
                        "jsonl",
                        "path",
                        "generic.jsonl",
                        "prompt-field",
                        "data.q",
                        "answer-field",
                        "data.a",
                        "id-field",
                        "uid"),
                Fixtures.dir(),
                "data.eval");
        assertThat(s).extracting(PromptSample::answer).containsExactly("42", "Paris");
    }

    @Test
    void syntheticSpecsBuildTheTaskWithItsKnobs() {
        Map<String, Object> spec = new HashMap<>(Map.of(
                "kind", "synthetic", "task", "arithmetic", "size", "25", "seed", 3, "max-digits", 2, "ops", "*"));
        List<PromptSample> s = DatasetSpec.load(spec, Path.of("."), "data.train");
        assertThat(s).hasSize(25).allSatisfy(p -> assertThat(p.prompt()).matches("What is \\d{1,2}\\*\\d{1,2}\\?"));
        spec.put("split", "held-out");
        List<PromptSample> held = DatasetSpec.load(spec, Path.of("."), "data.eval");
        assertThat(held)
                .extracting(PromptSample::prompt)
                .doesNotContainAnyElementsOf(
                        s.stream().map(PromptSample::prompt).toList());

        List<PromptSample> c = DatasetSpec.load(
                Map.of("kind", "synthetic", "task", "countdown", "size", 5, "count", 3), Path.of("."), "data.train");
        assertThat(c)
                .allSatisfy(p -> assertThat((List<?>) p.fields().get("numbers")).hasSize(3));
    }

    @Test
    void unknownKindsTasksFormatsAndKeysAreNamed() {
        Path base = Fixtures.dir();
        assertThatThrownBy(() -> DatasetSpec.load(Map.of("kind", "parquet"), base, "data.train"))
                .isInstanceOf(DatasetException.class)
                .hasMessage("data.train.kind: unknown value 'parquet'; expected one of [jsonl, synthetic]");
        assertThatThrownBy(() -> DatasetSpec.load(Map.of("kind", "synthetic", "task", "sudoku", "size", 1), base, "d"))
                .hasMessage(
                        "d.task: unknown value 'sudoku'; expected one of [arithmetic, countdown, scratchpad-addition]");
        assertThatThrownBy(() -> DatasetSpec.load(Map.of("kind", "jsonl", "path", "x", "format", "csv"), base, "d"))
                .hasMessageContaining("d.format: unknown value 'csv'");
        assertThatThrownBy(() -> DatasetSpec.load(
                        Map.of("kind", "synthetic", "task", "arithmetic", "size", 5, "max-digit", 3), base, "d"))
                .hasMessageStartingWith("d: unknown key 'max-digit'; allowed keys here: [kind, task, seed, size")
                .hasMessageContaining("max-digits");
        // field options belong to the generic format only
        assertThatThrownBy(() -> DatasetSpec.load(
                        Map.of("kind", "jsonl", "path", "gsm8k.jsonl", "format", "gsm8k", "prompt-field", "q"),
                        base,
                        "d"))
                .hasMessageStartingWith("d: unknown key 'prompt-field'");
        assertThatThrownBy(() -> DatasetSpec.load(Map.of("kind", "jsonl"), base, "d"))
                .hasMessage("d: missing required key 'path'");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> DatasetSpec.load(
                        Map.of("kind", "synthetic", "task", "arithmetic", "size", "many"), Path.of("."), "data.train"))
                .hasMessage("data.train.size: expected an integer, got many");
        assertThatThrownBy(() -> DatasetSpec.load(
                        Map.of("kind", "synthetic", "task", "countdown", "size", 3, "count", 9),
                        Path.of("."),
                        "data.train"))
                .hasMessage("data.train.count: expected an integer in [2, 6], got 9");
        assertThatThrownBy(() -> DatasetSpec.load(
                        Map.of("kind", "synthetic", "task", "arithmetic", "size", 3, "ops", "+/"),
                        Path.of("."),
                        "data.train"))
                .hasMessage("data.train: arithmetic: ops must be distinct characters from \"+-*\", got \"+/\"");
        assertThatThrownBy(() -> DatasetSpec.load(
                        Map.of("kind", "synthetic", "task", "arithmetic", "size", 3, "held-out-fraction", 1.5),
                        Path.of("."),
                        "data.train"))
                .hasMessage("data.train: arithmetic: held-out fraction must be in [0, 1), got 1.5");
    }
}
