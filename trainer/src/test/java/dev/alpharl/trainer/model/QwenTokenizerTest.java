package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden ids and decode strings are those of QWEN.md §5.3 (real Qwen3 tokenizer.json, checked against HF). */
class QwenTokenizerTest {

    private static QwenTokenizer qwen;

    static Path resource(String name) {
        try {
            return Path.of(
                    QwenTokenizerTest.class.getResource("/tokenizers/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void loadQwen() {
        qwen = QwenTokenizer.load(resource("qwen3"));
    }

    @AfterAll
    static void closeQwen() {
        qwen.close();
    }

    private static final long[] MATH_37_48 = {
        3838, 374, 220, 18, 22, 488, 220, 19, 23, 30, 5209, 2874, 3019, 553, 3019, 11, 323, 2182, 697, 1590, 4226, 2878,
        1124, 79075, 46391
    };

    @Test
    void goldenIdsOfPlainTexts() {
        assertThat(qwen.encode("Hello, world!")).containsExactly(9707, 11, 1879, 0);
        assertThat(qwen.encode("Hello world 12345 ")).containsExactly(9707, 1879, 220, 16, 17, 18, 19, 20, 220);
        assertThat(qwen.encode("  indented\n\n\tline")).containsExactly(220, 1257, 15864, 271, 27109);
        assertThat(qwen.encode("héllo 你好 🙂")).containsExactly(71, 18503, 385, 220, 108386, 27484);
        assertThat(qwen.encode("I'm sure they'll say it's 3.14159, isn't it?"))
                .containsExactly(
                        40, 2776, 2704, 807, 3278, 1977, 432, 594, 220, 18, 13, 16, 19, 16, 20, 24, 11, 4436, 944, 432,
                        30);
        assertThat(qwen.encode("def f(x):\n    return x**2\n"))
                .containsExactly(750, 282, 2075, 982, 262, 470, 856, 334, 17, 198);
        assertThat(qwen.encode("What is 37 + 48? Please reason step by step, and put your final answer within "
                        + "\\boxed{}."))
                .containsExactly(MATH_37_48);
    }

    @Test
    void goldenIdsOfSpecialTokensMatchedLiterally() {
        assertThat(qwen.encode("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"))
                .containsExactly(151644, 872, 198, 3838, 374, 220, 17, 10, 17, 30, 151645, 198, 151644, 77091, 198);
        assertThat(qwen.encode("<think>\n\n</think>\n\n")).containsExactly(151667, 271, 151668, 271);
    }

    @Test
    void chatWrappedPromptsEncodeAsGolden() {
        String q = "What is 37 + 48? Please reason step by step, and put your final answer within \\boxed{}.";
        long[] expected = LongStream.concat(
                        LongStream.concat(LongStream.of(151644, 872, 198), Arrays.stream(MATH_37_48)),
                        LongStream.of(151645, 198, 151644, 77091, 198))
                .toArray();
        assertThat(qwen.encode(ChatTemplate.QWEN3.prompt(q))).containsExactly(expected);

        assertThat(qwen.encode(ChatTemplate.QWEN25_MATH.prompt("What is 1+1?")))
                .containsExactly(
                        151644, 8948, 198, 5501, 2874, 3019, 553, 3019, 11, 323, 2182, 697, 1590, 4226, 2878, 1124,
                        79075, 46391, 151645, 198, 151644, 872, 198, 3838, 374, 220, 16, 10, 16, 30, 151645, 198,
                        151644, 77091, 198);

        // thinking off = thinking-on prompt + the empty think block, token for token
        long[] noThink = qwen.encode(ChatTemplate.QWEN3_NO_THINK.prompt(q));
        assertThat(noThink)
                .containsExactly(LongStream.concat(Arrays.stream(expected), LongStream.of(151667, 271, 151668, 271))
                        .toArray());
    }

    @Test
    void batchEncodingEqualsSingleEncoding() {
        List<String> texts = List.of("Hello, world!", "<think>\n\n</think>\n\n", "", "héllo 你好 🙂");
        List<long[]> batch = qwen.encodeBatch(texts);
        assertThat(batch).hasSize(4);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(batch.get(i)).containsExactly(qwen.encode(texts.get(i)));
        }
        assertThat(batch.get(2)).isEmpty();
    }

    @Test
    void decodeKeepsOrSkipsSpecialTokens() {
        long[] ids = {151667, 198, 40, 1184, 151668, 271, 59, 79075, 90, 23, 20, 92, 151645};
        assertThat(qwen.decode(ids, false)).isEqualTo("<think>\nI need</think>\n\n\\boxed{85}<|im_end|>");
        assertThat(qwen.decode(ids, true)).isEqualTo("<think>\nI need</think>\n\n\\boxed{85}");
    }

    @Test
    void decodeDropsIdsBeyondTheTokenizerVocabulary() {
        // Qwen3's embedding has 151,936 rows; the tokenizer knows 151,669 ids
        assertThat(qwen.vocabSize()).isEqualTo(151_669);
        long[] ids = {9707, 151_669, 11, 151_935, 1879, -1, 0};
        assertThat(qwen.decode(ids, false)).isEqualTo("Hello, world!");
        assertThat(qwen.decode(new long[] {151_900}, true)).isEmpty();
    }

    @Test
    void longTextIsNotTruncated() {
        // " 7" is two tokens (220, 22): 1500 repetitions give 3000 ids, far past DJL's default 512
        String text = " 7".repeat(1500);
        long[] ids = qwen.encode(text);
        assertThat(ids).hasSize(3000);
        assertThat(qwen.encodeBatch(List.of(text)).get(0)).hasSize(3000);
        assertThat(qwen.decode(ids, true)).isEqualTo(text);
    }

    @Test
    void tokenFactsOfQwen3() {
        assertThat(qwen.idOf("<|endoftext|>")).hasValue(151643);
        assertThat(qwen.idOf("<|im_end|>")).hasValue(151645);
        assertThat(qwen.idOf("<think>")).hasValue(151667);
        assertThat(qwen.idOf("assistant")).hasValue(77091);
        assertThat(qwen.idOf("Ċ")).hasValue(198); // byte-level spelling of "\n"
        assertThat(qwen.idOf("no such token")).isEmpty();
        assertThat(qwen.padId()).isEqualTo(151643);
        // tokenizer_config.json: eos_token <|im_end|>; no generation_config.json in the directory
        assertThat(qwen.stopIds()).containsExactly(151645L);
    }

    @Test
    void chatTemplatesStopOnImEndAndEndOfText() {
        for (String name : List.of("chatml", "qwen25-math", "qwen3", "qwen3-no-think")) {
            assertThat(qwen.stopIds(ChatTemplate.named(name))).containsExactlyInAnyOrder(151645L, 151643L);
        }
        assertThat(qwen.stopIds(ChatTemplate.PLAIN)).containsExactly(151645L);
    }

    @Test
    void generationConfigEosIdsJoinTheStopSet(@TempDir Path dir) throws IOException {
        copyTiny(dir);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": null}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 47}");
        try (QwenTokenizer t = QwenTokenizer.load(dir)) {
            assertThat(t.stopIds()).containsExactly(47L);
            assertThat(t.stopIds(ChatTemplate.PLAIN)).containsExactly(47L);
            assertThat(t.stopIds(ChatTemplate.QWEN3)).containsExactlyInAnyOrder(47L, 49L);
            assertThat(t.padId()).isEqualTo(47); // no pad_token: <|endoftext|>
        }
        Files.writeString(
                dir.resolve("tokenizer_config.json"),
                "{\"eos_token\": {\"content\": \"<|im_end|>\"}, \"pad_token\": \"<|im_start|>\"}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [40, 47]}");
        try (QwenTokenizer t = QwenTokenizer.load(dir)) {
            assertThat(t.stopIds()).containsExactly(40L, 47L, 49L);
            assertThat(t.padId()).isEqualTo(48);
        }
    }

    @Test
    void tinyTokenizerIsOneTokenPerCharacterWithLiteralSpecials() {
        try (QwenTokenizer tiny = QwenTokenizer.load(resource("tiny"))) {
            assertThat(tiny.vocabSize()).isEqualTo(50);
            assertThat(tiny.padId()).isEqualTo(47);
            assertThat(tiny.stopIds()).containsExactly(49L);
            assertThat(tiny.stopIds(ChatTemplate.CHATML)).containsExactlyInAnyOrder(49L, 47L);

            // ids: space 1, "\n" 2, digit d 3+d, + 13, - 14, * 15, = 16, ? 17, W 20, letter c 21+(c-'a')
            assertThat(tiny.encode("What is 12+3?")).containsExactly(20, 28, 21, 40, 1, 29, 39, 1, 4, 5, 13, 6, 17);
            assertThat(tiny.encode("907*-=")).containsExactly(12, 3, 10, 15, 14, 16);

            String prompt = ChatTemplate.QWEN3.prompt("What is 2+2?");
            long[] ids = tiny.encode(prompt);
            assertThat(ids).startsWith(48, 41, 39, 25, 38, 2); // <|im_start|> u s e r \n
            assertThat(Arrays.stream(ids).filter(id -> id == 48).count()).isEqualTo(2);
            assertThat(Arrays.stream(ids).filter(id -> id == 49).count()).isEqualTo(1);
            assertThat(Arrays.stream(ids).filter(id -> id == 0).count()).isZero(); // every character is known
            assertThat(tiny.decode(ids, false)).isEqualTo(prompt);
            assertThat(tiny.decode(ids, true)).isEqualTo("user\nWhat is 2+2?\nassistant\n");

            assertThat(tiny.encode("X")).containsExactly(0); // unknown character -> <unk>
            assertThat(tiny.decode(new long[] {3, 50, 4, 1000}, false)).isEqualTo("01");
            assertThat(tiny.idOf("<|im_end|>")).hasValue(49);
            assertThat(tiny.idOf("\n")).hasValue(2);
        }
    }

    @Test
    void missingTokenizerJsonIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> QwenTokenizer.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("missing");
    }

    @Test
    void corruptTokenizerJsonIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"vocab\": {\"a\": 0,");
        assertThatThrownBy(() -> QwenTokenizer.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not valid JSON");

        Files.writeString(file, "{\"version\": \"1.0\"}");
        assertThatThrownBy(() -> QwenTokenizer.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("model.vocab");

        // valid JSON with a vocab, but not a tokenizer the library can build
        Files.writeString(file, "{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {\"<|endoftext|>\": 0}}}");
        assertThatThrownBy(() -> QwenTokenizer.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("cannot load");
    }

    @Test
    void corruptOptionalConfigsAreNamed(@TempDir Path dir) throws IOException {
        copyTiny(dir);
        Path tc = dir.resolve("tokenizer_config.json");
        Files.writeString(tc, "{\"pad_token\": ");
        assertThatThrownBy(() -> QwenTokenizer.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(tc.toString())
                .hasMessageContaining("not valid JSON");
        Files.writeString(tc, "{\"eos_token\": \"<|eot_id|>\"}");
        assertThatThrownBy(() -> QwenTokenizer.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(tc.toString())
                .hasMessageContaining("eos_token");

        Files.delete(tc);
        Path gc = dir.resolve("generation_config.json");
        Files.writeString(gc, "{\"eos_token_id\": \"<|im_end|>\"}");
        assertThatThrownBy(() -> QwenTokenizer.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(gc.toString())
                .hasMessageContaining("eos_token_id");
    }

    private static void copyTiny(Path dir) throws IOException {
        Files.copy(resource("tiny").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
    }
}
