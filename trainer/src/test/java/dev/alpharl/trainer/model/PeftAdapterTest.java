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
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEFT adapter directories: what is written, that it reads back exactly, merging, and what reading refuses. */
class PeftAdapterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final QwenConfig CONFIG = QwenModelTest.tiny("qwen2");

    @TempDir
    Path tmp;

    private NDManager m;

    @BeforeEach
    void setUp() {
        TorchRuntime.init();
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    /** Adapters over {@code spec} with A and B filled with seeded Gaussian noise. */
    private LoraAdapters randomAdapters(LoraSpec spec) {
        LoraAdapters adapters = LoraAdapters.initialise(spec, CONFIG, 1, DataType.FLOAT32, m);
        SplittableRandom rnd = new SplittableRandom(4);
        for (NDArray a : adapters.tensors().values()) {
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (0.1 * rnd.nextGaussian());
            }
            a.set(m.create(v).toByteBuffer());
        }
        return adapters;
    }

    private static LoraSpec richSpec() {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        ranks.put("layers\\.1\\.mlp\\.down_proj", 2);
        ranks.put("q_proj", 3);
        return new LoraSpec(
                4,
                16,
                0.05,
                List.of("q_proj", "v_proj", "down_proj"),
                null,
                null,
                null,
                true,
                ranks,
                Map.of("v_proj", 6.5));
    }

    @Test
    void anAdapterIsWrittenInPeftsLayoutAndReadsBackExactly() throws Exception {
        LoraAdapters adapters = randomAdapters(richSpec());
        Path dir = tmp.resolve("adapter");
        PeftAdapter.save(adapters, dir, "Qwen/Qwen2.5-0.5B");
        assertThat(dir.resolve(PeftAdapter.CONFIG_FILE)).isRegularFile();
        JsonNode c = JSON.readTree(dir.resolve(PeftAdapter.CONFIG_FILE).toFile());
        assertThat(c.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(c.get("task_type").asText()).isEqualTo("CAUSAL_LM");
        assertThat(c.get("base_model_name_or_path").asText()).isEqualTo("Qwen/Qwen2.5-0.5B");
        assertThat(c.get("r").asInt()).isEqualTo(4);
        assertThat(c.get("lora_alpha").isIntegralNumber()).isTrue();
        assertThat(c.get("lora_alpha").asInt()).isEqualTo(16);
        assertThat(c.get("lora_dropout").asDouble()).isEqualTo(0.05);
        assertThat(c.get("use_rslora").asBoolean()).isTrue();
        assertThat(c.get("target_modules")).hasSize(3);
        assertThat(c.get("rank_pattern").get("q_proj").asInt()).isEqualTo(3);
        assertThat(c.get("alpha_pattern").get("v_proj").asDouble()).isEqualTo(6.5);
        assertThat(c.get("bias").asText()).isEqualTo("none");
        assertThat(c.get("fan_in_fan_out").asBoolean()).isFalse();
        assertThat(c.get("use_dora").asBoolean()).isFalse();
        assertThat(c.get("modules_to_save").isNull()).isTrue();
        assertThat(c.get("inference_mode").asBoolean()).isTrue();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(PeftAdapter.WEIGHTS_FILE))) {
            assertThat(f.names())
                    .contains(
                            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                            "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight")
                    .hasSize(2 * 3 * CONFIG.numLayers());
            assertThat(f.entry("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
                            .shape())
                    .containsExactly(3, CONFIG.hiddenSize());
            assertThat(f.entry("base_model.model.model.layers.1.mlp.down_proj.lora_B.weight")
                            .shape())
                    .containsExactly(CONFIG.hiddenSize(), 2);
            assertThat(f.entry("base_model.model.model.layers.0.mlp.down_proj.lora_A.weight")
                            .dtype())
                    .isEqualTo(SafetensorsDtype.F32);
        }

        LoraSpec read = PeftAdapter.readSpec(dir);
        assertThat(read).isEqualTo(adapters.spec());
        try (LoraAdapters back = PeftAdapter.load(dir, read, CONFIG, 1, m)) {
            for (Map.Entry<String, NDArray> e : adapters.tensors().entrySet()) {
                assertThat(back.tensors().get(e.getKey()).toFloatArray())
                        .as(e.getKey())
                        .containsExactly(e.getValue().toFloatArray());
            }
        }
    }

    @Test
    void theMergedModelComputesWhatTheAdaptedOneDoes() {
        QwenModel base = QwenModel.random(CONFIG, 3, DataType.FLOAT32, m);
        QwenModel adapted = PeftAdapter.adoptBase(base, randomAdapters(richSpec()), m);
        NDArray ids = m.create(new long[] {4, 9, 33, 2, 17, 8}, new Shape(1, 6));
        NDArray positions = m.arange(0, 6, 1, DataType.INT64).reshape(1, 6);
        float[] expected =
                adapted.logits(adapted.forward(ids, positions, null, null)).toFloatArray();
        float[] baseLogits = adapted.logits(adapted.withoutAdapters().forward(ids, positions, null, null))
                .toFloatArray();
        QwenModel merged = PeftAdapter.merge(adapted, m);
        assertThat(merged.adapters()).isNull();
        float[] got = merged.logits(merged.forward(ids, positions, null, null)).toFloatArray();
        double worst = 0, moved = 0;
        for (int i = 0; i < got.length; i++) {
            worst = Math.max(worst, Math.abs(got[i] - expected[i]));
            moved = Math.max(moved, Math.abs(baseLogits[i] - expected[i]));
        }
        assertThat(moved).as("the adapter changes the logits").isGreaterThan(1e-2);
        assertThat(worst).isLessThan(1e-5);
    }

    /** A valid adapter directory whose config is edited by {@code edit} (tensors for q_proj and v_proj at r = 4). */
    private Path adapterWith(String name, Consumer<ObjectNode> edit) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        LoraAdapters adapters = randomAdapters(LoraSpec.of(4, 8, List.of("q_proj", "v_proj")));
        PeftAdapter.writeInto(adapters, dir, "base");
        ObjectNode c =
                (ObjectNode) JSON.readTree(dir.resolve(PeftAdapter.CONFIG_FILE).toFile());
        edit.accept(c);
        JSON.writeValue(dir.resolve(PeftAdapter.CONFIG_FILE).toFile(), c);
        return dir;
    }

    private void refusedOnRead(String name, Consumer<ObjectNode> edit, String... fragments) throws Exception {
        Path dir = adapterWith(name, edit);
        var error = assertThatThrownBy(() -> PeftAdapter.load(dir, PeftAdapter.readSpec(dir), CONFIG, 0, m))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(dir.resolve(PeftAdapter.CONFIG_FILE).toString());
        for (String f : fragments) {
            error.hasMessageContaining(f);
        }
    }

    @Test
    void unsupportedPeftFeaturesAreRefusedNamingTheFileAndKey() throws Exception {
        refusedOnRead("dora", c -> c.put("use_dora", true), "use_dora", "DoRA");
        refusedOnRead("save", c -> c.putArray("modules_to_save").add("lm_head"), "modules_to_save");
        refusedOnRead("bias", c -> c.put("bias", "lora_only"), "bias", "lora_only");
        refusedOnRead("fifo", c -> c.put("fan_in_fan_out", true), "fan_in_fan_out");
        refusedOnRead("type", c -> c.put("peft_type", "IA3"), "peft_type is IA3");
        refusedOnRead("task", c -> c.put("task_type", "SEQ_CLS"), "task_type SEQ_CLS");
        refusedOnRead("layers", c -> c.putArray("layers_to_transform").add(0), "layers_to_transform");
        refusedOnRead("pissa", c -> c.put("init_lora_weights", "pissa_niter_4"), "init_lora_weights", "base weights");
        refusedOnRead("nothing", c -> c.putArray("target_modules").add("q_proj").add("c_attn"), "'c_attn'");
        refusedOnRead("head", c -> c.putArray("target_modules").add("lm_head"), "'lm_head'");
        refusedOnRead("r", c -> c.put("r", "four"), "r must be an integer");
    }

    @Test
    void tensorsThatDoNotFitTheConfigAreRefusedNamingTheFileAndTensor() throws Exception {
        Path file = tmp.resolve("x");
        // the config says r = 8 while the tensors have r = 4
        Path wrongRank = adapterWith("rank", c -> c.put("r", 8));
        assertThatThrownBy(() -> PeftAdapter.load(wrongRank, PeftAdapter.readSpec(wrongRank), CONFIG, 0, m))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(
                        wrongRank.resolve(PeftAdapter.WEIGHTS_FILE).toString())
                .hasMessageContaining("lora_A.weight' has shape (4, 32), expected (8, 32)");
        // the config targets k_proj too, which has no tensors
        Path missing = adapterWith(
                "missing",
                c -> c.putArray("target_modules").add("q_proj").add("v_proj").add("k_proj"));
        assertThatThrownBy(() -> PeftAdapter.load(missing, PeftAdapter.readSpec(missing), CONFIG, 0, m))
                .hasMessageContaining("k_proj.lora_A.weight' is missing");
        // the config targets only q_proj: the v_proj tensors are unexpected
        Path extra = adapterWith("extra", c -> c.putArray("target_modules").add("q_proj"));
        assertThatThrownBy(() -> PeftAdapter.load(extra, PeftAdapter.readSpec(extra), CONFIG, 0, m))
                .hasMessageContaining(
                        "unexpected tensor 'base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight'");
        // a pickle instead of safetensors
        Path pickle = adapterWith("pickle", c -> {});
        Files.delete(pickle.resolve(PeftAdapter.WEIGHTS_FILE));
        Files.writeString(pickle.resolve("adapter_model.bin"), "");
        assertThatThrownBy(() -> PeftAdapter.load(pickle, PeftAdapter.readSpec(pickle), CONFIG, 0, m))
                .hasMessageContaining("adapter_model.bin");
        assertThatThrownBy(() -> PeftAdapter.readSpec(file)).hasMessageContaining("not a PEFT adapter directory");
    }

    @Test
    void missingConfigKeysTakePeftsDefaults() throws Exception {
        Path dir = adapterWith("defaults", c -> {
            c.remove("lora_alpha");
            c.remove("lora_dropout");
            c.remove("use_rslora");
            c.remove("rank_pattern");
            c.remove("target_modules");
        });
        LoraSpec spec = PeftAdapter.readSpec(dir);
        assertThat(spec.alpha()).isEqualTo(8.0);
        assertThat(spec.dropout()).isZero();
        assertThat(spec.useRslora()).isFalse();
        assertThat(spec.targetModules()).isEqualTo(LoraSpec.QWEN_DEFAULT_TARGETS);
        assertThat(spec.scaling("model.layers.0.self_attn.q_proj")).isEqualTo(2.0);
        // a string target_modules is a regex; "all-linear" is PEFT's shorthand
        assertThat(PeftAdapter.readSpec(adapterWith("regex", c -> c.put("target_modules", ".*\\.(q|v)_proj")))
                        .targetRegex())
                .isEqualTo(".*\\.(q|v)_proj");
    }
}
