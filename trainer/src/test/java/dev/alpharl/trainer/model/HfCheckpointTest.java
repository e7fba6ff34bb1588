package dev.alpharl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.alpharl.trainer.io.AtomicDirectory;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.FloatFormats;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private NDManager m;

    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private NDArray logits(QwenModel model) {
        NDArray ids = m.create(new long[] {1, 5, 9, 33, 2, 17}, new Shape(1, 6));
        return model.logits(model.forward(ids, m.arange(0, 6, 1, DataType.INT64).reshape(1, 6), null, null));
    }

    @Test
    void saveThenLoadGivesIdenticalLogitsAndAnHfLayout() throws IOException {
        for (String type : new String[] {"qwen2", "qwen3"}) {
            QwenModel model = QwenModel.random(QwenModelTest.tiny(type), 7, DataType.FLOAT32, m);
            Path src = Files.createDirectories(tmp.resolve("src-" + type));
            Files.writeString(src.resolve("tokenizer.json"), "{\"fake\": true}");
            Path dir = tmp.resolve(type);
            HfCheckpoint.save(model, dir, SafetensorsDtype.F32, src);
            QwenModel back = HfCheckpoint.load(dir, m);
            assertThat(logits(back).toFloatArray())
                    .containsExactly(logits(model).toFloatArray());

            JsonNode config = JSON.readTree(dir.resolve("config.json").toFile());
            assertThat(config.get("model_type").asText()).isEqualTo(type);
            assertThat(config.get("torch_dtype").asText()).isEqualTo("float32");
            assertThat(Files.readString(dir.resolve("tokenizer.json"))).isEqualTo("{\"fake\": true}");
            assertThat(dir.resolve("generation_config.json")).exists();
            assertThat(dir.resolve("model.safetensors")).exists();
            try (var files = Files.list(tmp)) {
                assertThat(files.filter(AtomicDirectory::isTemporary)).isEmpty();
            }
        }
    }

    @Test
    void bf16CheckpointLoadsAsItsFp32TwinRoundedToBf16() {
        QwenModel model = QwenModel.random(QwenModelTest.tiny("qwen3"), 8, DataType.FLOAT32, m);
        HfCheckpoint.save(model, tmp.resolve("bf16"), SafetensorsDtype.BF16, null);
        QwenModel back = HfCheckpoint.load(tmp.resolve("bf16"), m);
        for (Map.Entry<String, NDArray> e : model.weights().entrySet()) {
            float[] original = e.getValue().toFloatArray();
            float[] loaded = back.weights().get(e.getKey()).toFloatArray();
            for (int i = 0; i < original.length; i++) {
                assertThat(loaded[i]).isEqualTo(FloatFormats.bf16ToFloat(FloatFormats.floatToBf16(original[i])));
            }
        }
        NDArray a = logits(model), b = logits(back);
        assertThat(a.sub(b).abs().max().getFloat())
                .isLessThan(0.02f * a.abs().max().getFloat());
    }

    @Test
    void tiedCheckpointIgnoresAStoredLmHeadCopy() throws IOException {
        QwenModel model = QwenModel.random(QwenModelTest.tiny("qwen2"), 9, DataType.FLOAT32, m);
        Path dir = tmp.resolve("tied");
        HfCheckpoint.save(model, dir, SafetensorsDtype.F32, null);
        // a Qwen3-style file: tied, but with an lm_head.weight copy (here deliberately different)
        SafetensorsWriter w = new SafetensorsWriter();
        model.weights().forEach(w::add);
        w.add("lm_head.weight", m.zeros(model.lmHead().getShape()));
        w.write(dir.resolve("model.safetensors"));
        assertThat(logits(HfCheckpoint.load(dir, m)).toFloatArray())
                .containsExactly(logits(model).toFloatArray());
    }

    @Test
    void brokenDirectoriesGiveErrorsNamingTheFileAndTensor() throws IOException {
        QwenModel model = QwenModel.random(QwenModelTest.tiny("qwen3"), 10, DataType.FLOAT32, m);
        Path dir = tmp.resolve("m");
        HfCheckpoint.save(model, dir, SafetensorsDtype.F32, null);

        assertThatThrownBy(() -> HfCheckpoint.load(tmp.resolve("nope"), m))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("nope: not a directory");

        // untied model without lm_head.weight
        SafetensorsWriter w = new SafetensorsWriter();
        model.weights().forEach((n, a) -> {
            if (!n.equals("lm_head.weight")) {
                w.add(n, a);
            }
        });
        w.write(dir.resolve("model.safetensors"));
        assertThatThrownBy(() -> HfCheckpoint.load(dir, m))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(
                        dir + ": tensor 'lm_head.weight' is missing from the weights (tie_word_embeddings is false)");

        // shape mismatch against config.json
        ObjectNode config =
                (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        config.put("intermediate_size", 40);
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        HfCheckpoint.save(model, tmp.resolve("m2"), SafetensorsDtype.F32, null);
        Files.copy(
                dir.resolve("config.json"),
                tmp.resolve("m2/config.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> HfCheckpoint.load(tmp.resolve("m2"), m))
                .hasMessageContaining(
                        "m2: tensor 'model.layers.0.mlp.gate_proj.weight' has shape (48, 32), expected (40, 32)");

        config.put("model_type", "llama");
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        assertThatThrownBy(() -> HfCheckpoint.load(dir, m))
                .hasMessageContaining("config.json: model_type 'llama' is not supported (expected qwen2 or qwen3)");

        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> HfCheckpoint.load(dir, m)).hasMessageContaining("config.json: missing");

        Path noWeights = Files.createDirectories(tmp.resolve("noweights"));
        Files.copy(tmp.resolve("m2/config.json"), noWeights.resolve("config.json"));
        assertThatThrownBy(() -> HfCheckpoint.load(noWeights, m))
                .hasMessageContaining("neither model.safetensors nor model.safetensors.index.json");
    }

    @Test
    void aFailedSaveLeavesThePreviousDirectoryIntact() throws IOException {
        Path dir = tmp.resolve("keep");
        AtomicDirectory.write(dir, d -> Files.writeString(d.resolve("a.txt"), "old"));
        assertThatThrownBy(() -> AtomicDirectory.write(dir, d -> {
                    Files.writeString(d.resolve("a.txt"), "new");
                    throw new IOException("disk full");
                }))
                .hasMessage("disk full");
        assertThat(Files.readString(dir.resolve("a.txt"))).isEqualTo("old");
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep");
        }
        AtomicDirectory.write(dir, d -> Files.writeString(d.resolve("b.txt"), "new"));
        assertThat(dir.resolve("a.txt")).doesNotExist();
        assertThat(Files.readString(dir.resolve("b.txt"))).isEqualTo("new");
    }

    @Test
    void weightsHoldingNaNOrInfAreRefusedNamingTheFileTheTensorAndTheCounts() {
        String name = "model.layers.1.mlp.down_proj.weight";
        Path dir = TinyModelCopies.withNonFinite(tmp.resolve("nan"), name);
        assertThatThrownBy(() -> HfCheckpoint.load(dir, m))
                .isInstanceOf(ModelFormatException.class)
                .hasMessage(dir.resolve("model.safetensors") + ": tensor '" + name + "' holds non-finite values (1 NaN "
                        + "and 1 Inf of 49152 elements); a model with NaN/Inf weights cannot be trained or sampled");
        // nothing of the refused model stays in the caller's manager
        assertThat(m.getManagedArrays()).isEmpty();
    }

    @Test
    void finiteWeightsWhoseSumOverflowsStillLoad() {
        String name = "model.layers.0.mlp.up_proj.weight";
        try (QwenModel model = HfCheckpoint.load(TinyModelCopies.withHugeFinite(tmp.resolve("huge"), name), m)) {
            assertThat(model.weights().get(name).getFloat(0, 0)).isEqualTo(3e38f);
        }
    }
}
