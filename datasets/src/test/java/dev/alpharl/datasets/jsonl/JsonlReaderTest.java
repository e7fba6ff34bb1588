package dev.alpharl.datasets.jsonl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.alpharl.datasets.DatasetException;
import dev.alpharl.datasets.Fixtures;
import dev.alpharl.datasets.PromptSample;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlReaderTest {

    @TempDir
    Path tmp;

    @Test
    void gsm8kGoldIsTheTextAfterTheLastMarkerWithoutThousandsSeparators() {
        List<PromptSample> s = JsonlReader.read(Fixtures.path("gsm8k.jsonl"), RecordFormat.gsm8k());
        assertThat(s).extracting(PromptSample::answer).containsExactly("72", "1234", "-3");
        assertThat(s.get(0).prompt()).startsWith("Natalia sold clips").endsWith("in April and May?");
        // no id field: file stem and the 1-based line (line 2 is blank and skipped)
        assertThat(s).extracting(PromptSample::id).containsExactly("gsm8k-1", "gsm8k-3", "gsm8k-4");
        assertThat(s.get(1).fields().get("solution"))
                .isEqualTo("2 * 1,000 = 2,000 pens.\n2,000 * 0.617 = 1,234.\n#### 1,234");
    }

    @Test
    void mathGoldIsTheLastBoxedWithNestedBracesOrTheAnswerField() {
        List<PromptSample> s = JsonlReader.read(Fixtures.path("math.jsonl"), RecordFormat.math());
        assertThat(s)
                .extracting(PromptSample::answer)
                .containsExactly("\\frac{\\sqrt{2}}{2}", "\\{-1, 1\\}", "1024", "10");
        assertThat(s.get(0).prompt()).isEqualTo("Simplify $\\frac{1}{\\sqrt{2}}$ written as $\\frac{a}{b}$.");
        assertThat(s.get(0).fields())
                .containsEntry("level", "Level 2")
                .containsEntry("type", "Algebra")
                .containsKey("solution");
        assertThat(s.get(2).id()).isEqualTo("test/algebra/7.json");
        assertThat(s.get(2).fields()).containsEntry("level", 1).containsEntry("subject", "Algebra");
        assertThat(s.get(3).id()).isEqualTo("math-4");
    }

    @Test
    void dapoTakesTheUserTurnAndTheGroundTruth() {
        List<PromptSample> s = JsonlReader.read(Fixtures.path("dapo.jsonl"), RecordFormat.dapo());
        assertThat(s.get(0).prompt())
                .startsWith("Solve the following math problem step by step.")
                .contains("\n\nWhat is $3+4$?\n\n")
                .endsWith("after \"Answer:\".");
        assertThat(s.get(0).answer()).isEqualTo("7");
        assertThat(s.get(0).id()).isEqualTo("a1b2c3");
        assertThat(s.get(0).fields()).isEqualTo(Map.of("data_source", "math_dapo"));
        assertThat(s.get(1).prompt()).isEqualTo("How many primes are below 10?");
        assertThat(s.get(1).answer()).isEqualTo("4"); // numeric ground truth written as text
        assertThat(s.get(1).id()).isEqualTo("dapo-2");
    }

    @Test
    void genericMapsDottedPathsAndKeepsOtherTopLevelFields() {
        List<PromptSample> s =
                JsonlReader.read(Fixtures.path("generic.jsonl"), RecordFormat.generic("data.q", "data.a", "uid"));
        assertThat(s.get(0))
                .isEqualTo(new PromptSample(
                        "17",
                        "What is 6 times 7?",
                        "42",
                        Map.of("difficulty", "easy", "tags", List.of("mult", "tiny"))));
        assertThat(s.get(1))
                .isEqualTo(
                        new PromptSample("x-2", "Name the capital of France.", "Paris", Map.of("difficulty", "easy")));
    }

    @Test
    void genericIndexesArraysWithNumericSegments() throws IOException {
        Path f = write("arr.jsonl", "{\"turns\": [\"hello?\", \"ignored\"], \"gold\": [\"a\", \"b\"]}");
        PromptSample s = JsonlReader.read(f, RecordFormat.generic("turns.0", "gold.1", "id"))
                .get(0);
        assertThat(s.prompt()).isEqualTo("hello?");
        assertThat(s.answer()).isEqualTo("b");
    }

    @Test
    void invalidJsonNamesFileAndLine() throws IOException {
        Path f = write(
                "bad.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n\n{\"question\": \"q2\", \"answer\": ");
        assertThatThrownBy(() -> JsonlReader.read(f, RecordFormat.gsm8k()))
                .isInstanceOf(DatasetException.class)
                .hasMessageStartingWith(f + ", line 3: invalid JSON");
    }

    @Test
    void trailingGarbageAfterTheObjectIsInvalid() throws IOException {
        Path f = write("trail.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"} {\"x\": 1}");
        assertThatThrownBy(() -> JsonlReader.read(f, RecordFormat.gsm8k()))
                .hasMessageStartingWith(f + ", line 1: invalid JSON");
    }

    @Test
    void missingFieldNamesFileLineAndField() throws IOException {
        Path f = write("missing.jsonl", "{\"question\": \"q\", \"answer\": \"#### 1\"}\n{\"question\": \"q2\"}");
        assertThatThrownBy(() -> JsonlReader.read(f, RecordFormat.gsm8k()))
                .hasMessage(f + ", line 2: missing field 'answer'");
    }

    @Test
    void wrongTypeNamesWhatWasExpected() throws IOException {
        Path f = write("type.jsonl", "{\"problem\": 5, \"solution\": \"\\\\boxed{5}\"}");
        assertThatThrownBy(() -> JsonlReader.read(f, RecordFormat.math()))
                .hasMessage(f + ", line 1: field 'problem': expected a string, got a number 5");
        Path g = write("nested.jsonl", "{\"prompt\": \"p\", \"reward_model\": {\"ground_truth\": [1]}}");
        assertThatThrownBy(() -> JsonlReader.read(g, RecordFormat.dapo()))
                .hasMessage(g
                        + ", line 1: field 'reward_model.ground_truth': expected a string or a number, got a list [1]");
    }

    @Test
    void recordThatIsNotAnObjectIsRejected() throws IOException {
        Path f = write("array.jsonl", "[1, 2]");
        assertThatThrownBy(() -> JsonlReader.read(f, RecordFormat.gsm8k()))
                .hasMessage(f + ", line 1: expected a JSON object, got a list [1,2]");
    }

    @Test
    void gsm8kWithoutMarkerAndMathWithoutBoxedAreErrors() throws IOException {
        Path f = write("nomark.jsonl", "{\"question\": \"q\", \"answer\": \"just 5\"}");
        assertThatThrownBy(() -> JsonlReader.read(f, RecordFormat.gsm8k()))
                .hasMessageStartingWith(f + ", line 1: field 'answer': expected a solution ending in '#### <answer>'");
        // the last box is unclosed: the earlier, complete one is an intermediate result, not the gold
        Path g = write("nobox.jsonl", "{\"problem\": \"p\", \"solution\": \"\\\\boxed{1} or \\\\boxed{2\"}");
        assertThatThrownBy(() -> JsonlReader.read(g, RecordFormat.math()))
                .hasMessageStartingWith(g + ", line 1: field 'solution': expected a complete \\boxed{...}");
    }

    @Test
    void chatPromptWithoutUserTurnIsAnError() throws IOException {
        Path f = write(
                "chat.jsonl",
                "{\"prompt\": [{\"role\": \"system\", \"content\": \"s\"}], "
                        + "\"reward_model\": {\"ground_truth\": \"1\"}}\n");
        assertThatThrownBy(() -> JsonlReader.read(f, RecordFormat.dapo()))
                .hasMessage(f + ", line 1: field 'prompt': expected a message with role \"user\"");
    }

    @Test
    void duplicateIdsAreErrors() throws IOException {
        Path f = write(
                "dup.jsonl",
                "{\"id\": \"a\", \"prompt\": \"p\", \"answer\": \"1\"}\n"
                        + "{\"id\": \"b\", \"prompt\": \"p\", \"answer\": \"1\"}\n{\"id\": \"a\", \"prompt\": \"p\", \"answer\": \"1\"}");
        assertThatThrownBy(() -> JsonlReader.read(f, RecordFormat.generic("prompt", "answer", "id")))
                .hasMessage(f + ", line 3: duplicate id 'a' (first seen on line 1)");
    }

    @Test
    void gzipFilesAreDecompressed() throws IOException {
        Path f = tmp.resolve("train.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write("{\"question\": \"q\", \"answer\": \"#### 2,500\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        List<PromptSample> s = JsonlReader.read(f, RecordFormat.gsm8k());
        assertThat(s).containsExactly(new PromptSample("train-1", "q", "2500", Map.of("solution", "#### 2,500")));
    }

    @Test
    void missingFileIsAClearError() {
        Path f = tmp.resolve("nope.jsonl");
        assertThatThrownBy(() -> JsonlReader.read(f, RecordFormat.gsm8k())).hasMessage("dataset file not found: " + f);
    }

    @Test
    void writerOutputReadsBackToEqualSamples() {
        List<PromptSample> samples = List.of(
                new PromptSample(
                        "c-1",
                        "Using 3, 5 reach 8.",
                        "8",
                        Map.of("numbers", List.of(3, 5), "target", 8, "solution", "3+5")),
                new PromptSample("a-1", "What is 2*\"3\"?\n", "6"));
        Path f = tmp.resolve("out/samples.jsonl");
        JsonlWriter.write(f, samples);
        assertThat(JsonlReader.read(f, RecordFormat.generic("prompt", "answer", "id")))
                .isEqualTo(samples);
    }

    @Test
    void writerRejectsFieldsThatClashWithColumns() {
        PromptSample s = new PromptSample("x", "p", "a", Map.of("answer", 1));
        assertThatThrownBy(() -> JsonlWriter.write(tmp.resolve("x.jsonl"), List.of(s)))
                .isInstanceOf(DatasetException.class)
                .hasMessageContaining("field name 'answer' clashes");
    }

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }
}
