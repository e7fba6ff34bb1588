package dev.alpharl.trainer.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.tensor.TorchRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The tokenizer of a Hugging Face model directory, run by DJL's binding of the HF {@code tokenizers} library (exact
 * HF behaviour, QWEN.md §5), plus the token facts a trainer needs: pad id, stop ids, token to id.
 *
 * <p>Files read from the directory:
 * <ul>
 *   <li>{@code tokenizer.json} (required): the HF fast-tokenizer file; its {@code model.vocab} and
 *       {@code added_tokens} also give {@link #idOf} and {@link #vocabSize}.</li>
 *   <li>{@code tokenizer_config.json} (optional): {@code pad_token} and {@code eos_token}.</li>
 *   <li>{@code generation_config.json} (optional): {@code eos_token_id}, an int or a list.</li>
 * </ul>
 * Encoding never adds special tokens (Qwen has no BOS), never truncates (DJL's default would cut at 512 tokens,
 * DJL.md pitfall 4) and never pads.
 */
public final class QwenTokenizer implements AutoCloseable {

    /** Qwen's base-model end of text and pad token (id 151643 in Qwen2/2.5/3). */
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** Qwen's end of a chat turn (id 151645 in Qwen2/2.5/3). */
    public static final String IM_END = "<|im_end|>";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Long> ids;
    private final int vocabSize;
    private final long padId;
    private final Set<Long> eosIds;

    private QwenTokenizer(
            Path dir, HuggingFaceTokenizer tokenizer, Map<String, Long> ids, long padId, Set<Long> eosIds) {
        this.dir = dir;
        this.tokenizer = tokenizer;
        this.ids = ids;
        this.vocabSize =
                (int) (ids.values().stream().mapToLong(Long::longValue).max().orElse(-1) + 1);
        this.padId = padId;
        this.eosIds = Collections.unmodifiableSet(eosIds);
    }

    /**
     * Loads the tokenizer of a model directory.
     *
     * @throws ModelFormatException naming the file when {@code tokenizer.json} is missing or unreadable, a JSON file is
     *     corrupt, or a configured token is not in the vocabulary
     */
    public static QwenTokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file + ": missing; a tokenizer directory needs the Hugging Face "
                    + "fast-tokenizer file tokenizer.json");
        }
        Map<String, Long> ids = readTokenIds(file);

        JsonNode tokenizerConfig = readOptionalJson(modelDir.resolve("tokenizer_config.json"));
        Path tcFile = modelDir.resolve("tokenizer_config.json");
        long padId = tokenOption(tokenizerConfig, "pad_token", tcFile, ids).orElseGet(() -> {
            Long id = ids.get(END_OF_TEXT);
            if (id == null) {
                throw new ModelFormatException(
                        file + ": no " + END_OF_TEXT + " token to pad with, and no " + "pad_token in " + tcFile);
            }
            return id;
        });
        Set<Long> eos = new LinkedHashSet<>();
        Path gcFile = modelDir.resolve("generation_config.json");
        eos.addAll(eosTokenIds(readOptionalJson(gcFile), gcFile));
        tokenOption(tokenizerConfig, "eos_token", tcFile, ids).ifPresent(eos::add);

        TorchRuntime.init(); // offline mode and tracking opt-out before DJL touches the tokenizer (DJL.md §2)
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(modelDir)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(file + ": the HF tokenizers library cannot load it: " + e.getMessage(), e);
        }
        return new QwenTokenizer(modelDir, tokenizer, ids, padId, eos);
    }

    /** Token ids of {@code text}; added tokens such as {@code <|im_start|>} are matched literally. */
    public long[] encode(String text) {
        Objects.requireNonNull(text, "text");
        return tokenizer.encode(text).getIds();
    }

    /** {@link #encode} of each text, in order (batched in the native library). */
    public List<long[]> encodeBatch(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        List<long[]> out = new ArrayList<>(encodings.length);
        for (Encoding e : encodings) {
            out.add(e.getIds());
        }
        return out;
    }

    /**
     * Text of {@code ids}. With {@code skipSpecial}, tokens flagged {@code special} in {@code added_tokens} are
     * dropped (for Qwen {@code <|im_end|>} goes, {@code <think>} stays).
     *
     * <p>Ids outside {@code [0, vocabSize())} are dropped, i.e. decode to "": a model's embedding matrix is padded
     * past the tokenizer's vocabulary (Qwen: 151,936 rows for 151,669 tokens), so a sampler may emit such an id.
     */
    public String decode(long[] ids, boolean skipSpecial) {
        int kept = 0;
        long[] known = new long[ids.length];
        for (long id : ids) {
            if (id >= 0 && id < vocabSize) {
                known[kept++] = id;
            }
        }
        return tokenizer.decode(kept == ids.length ? ids : Arrays.copyOf(known, kept), skipSpecial);
    }

    /** Number of token ids the tokenizer knows: highest id in the vocabulary or added tokens, plus one. */
    public int vocabSize() {
        return vocabSize;
    }

    /** Pad id: {@code pad_token} of tokenizer_config.json, else {@code <|endoftext|>}. */
    public long padId() {
        return padId;
    }

    /** The id of a token string exactly as the vocabulary spells it (byte-level form, e.g. "Ġthe"), if any. */
    public OptionalLong idOf(String token) {
        Long id = ids.get(token);
        return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    /**
     * The model's own end-of-sequence ids: generation_config.json {@code eos_token_id} (int or list) and the
     * tokenizer_config.json {@code eos_token}. Ordered, first seen first.
     */
    public Set<Long> stopIds() {
        return eosIds;
    }

    /**
     * Ids that end a completion for prompts rendered by {@code template}: {@link #stopIds()}, and for a chat template
     * also both {@code <|im_end|>} and {@code <|endoftext|>} where the vocabulary has them, since base models
     * trained on ChatML data end a turn with {@code <|im_end|>} (QWEN.md §6 "Stopping").
     */
    public Set<Long> stopIds(ChatTemplate template) {
        Set<Long> stops = new LinkedHashSet<>(eosIds);
        if (template.isChat()) {
            idOf(IM_END).ifPresent(stops::add);
            idOf(END_OF_TEXT).ifPresent(stops::add);
        }
        return Collections.unmodifiableSet(stops);
    }

    /** The model directory this tokenizer was loaded from. */
    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /**
     * Token → id from {@code model.vocab} (an object for BPE and WordLevel, a list of [piece, score] for Unigram) and
     * {@code added_tokens}. Streams the file: the merges list of a real tokenizer is most of its 11 MB and is skipped.
     */
    private static Map<String, Long> readTokenIds(Path file) {
        Map<String, Long> ids = new HashMap<>();
        boolean sawVocab = false;
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            expect(p.nextToken() == JsonToken.START_OBJECT, file, "a JSON object at the top level");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("added_tokens") && p.currentToken() == JsonToken.START_ARRAY) {
                    for (JsonNode t : (JsonNode) JSON.readTree(p)) {
                        expect(
                                t.path("content").isTextual() && t.path("id").canConvertToLong(),
                                file,
                                "added_tokens entries with a string content and an integer id, got " + t);
                        ids.put(t.get("content").asText(), t.get("id").asLong());
                    }
                } else if (field.equals("model") && p.currentToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String modelField = p.currentName();
                        JsonToken value = p.nextToken();
                        if (modelField.equals("vocab") && value == JsonToken.START_OBJECT) {
                            sawVocab = true;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String token = p.currentName();
                                expect(
                                        p.nextToken() == JsonToken.VALUE_NUMBER_INT,
                                        file,
                                        "an integer id for vocab entry " + token);
                                ids.putIfAbsent(token, p.getLongValue());
                            }
                        } else if (modelField.equals("vocab") && value == JsonToken.START_ARRAY) {
                            sawVocab = true;
                            long index = 0;
                            for (JsonNode entry : (JsonNode) JSON.readTree(p)) {
                                expect(
                                        entry.isArray() && entry.path(0).isTextual(),
                                        file,
                                        "vocab entries [piece, score], got " + entry);
                                ids.putIfAbsent(entry.get(0).asText(), index++);
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(
                    file + ": not valid JSON: " + e.getOriginalMessage() + " (line "
                            + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")",
                    e);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
        expect(sawVocab, file, "a model.vocab entry (a Hugging Face tokenizers JSON file)");
        return ids;
    }

    private static JsonNode readOptionalJson(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            expect(node != null && node.isObject(), file, "a JSON object at the top level");
            return node;
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(
                    file + ": not valid JSON: " + e.getOriginalMessage() + " (line "
                            + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")",
                    e);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * The id of a token named in tokenizer_config.json: a string, or an object with "content" (older configs), or
     * null / absent.
     */
    private static OptionalLong tokenOption(JsonNode config, String key, Path file, Map<String, Long> ids) {
        JsonNode v = config == null ? null : config.get(key);
        if (v == null || v.isNull()) {
            return OptionalLong.empty();
        }
        JsonNode text = v.isObject() ? v.get("content") : v;
        expect(text != null && text.isTextual(), file, key + " to be a token string or {\"content\": ...}, got " + v);
        Long id = ids.get(text.asText());
        expect(id != null, file, key + " " + v + " to be a token of tokenizer.json");
        return OptionalLong.of(id);
    }

    private static List<Long> eosTokenIds(JsonNode config, Path file) {
        JsonNode v = config == null ? null : config.get("eos_token_id");
        if (v == null || v.isNull()) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (JsonNode id : v.isArray() ? v : List.of(v)) {
            expect(
                    id.canConvertToLong() && id.isIntegralNumber(),
                    file,
                    "eos_token_id to be an integer or a list of integers, got " + v);
            out.add(id.asLong());
        }
        return out;
    }

    private static void expect(boolean ok, Path file, String expected) {
        if (!ok) {
            throw new ModelFormatException(file + ": expected " + expected);
        }
    }
}
