package dev.alpharl.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.alpharl.trainer.model.HfCheckpoint;
import dev.alpharl.trainer.model.PeftAdapter;
import dev.alpharl.trainer.model.QwenModel;
import dev.alpharl.trainer.model.TinyModelCopies;
import dev.alpharl.trainer.tensor.TorchRuntime;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsDtype;
import dev.alpharl.trainer.tensor.safetensors.SafetensorsWriter;
import dev.alpharl.trainer.tensor.safetensors.TensorSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate --adapter}, {@code eval --adapter} and {@code export} against an adapter written here by hand in
 * PEFT's layout (rsLoRA, a rank pattern and an alpha pattern), and the merged weights computed here independently:
 * W' = W + alpha_m/√r_m · B·A for each adapted module.
 */
class LoraCommandsTest {

    @TempDir
    static Path tmp;

    static Path tiny;
    static Path adapter;
    /** The merged model, computed by this test from the files' values. */
    static Path merged;

    /** The fixture's modules and their (rank, alpha): r = 4, lora_alpha = 8, rank_pattern q_proj: 2, alpha_pattern down_proj: 4. */
    private static final Map<String, double[]> RANK_ALPHA = Map.of(
            "self_attn.q_proj",
            new double[] {2, 8},
            "self_attn.v_proj",
            new double[] {4, 8},
            "mlp.down_proj",
            new double[] {4, 4});

    private static final String CONFIG = """
            {
              "peft_type": "LORA",
              "task_type": "CAUSAL_LM",
              "base_model_name_or_path": "tiny-qwen",
              "r": 4,
              "lora_alpha": 8,
              "lora_dropout": 0.05,
              "target_modules": ["v_proj", "q_proj", "down_proj"],
              "use_rslora": true,
              "rank_pattern": {"q_proj": 2},
              "alpha_pattern": {"down_proj": 4},
              "bias": "none",
              "fan_in_fan_out": false,
              "modules_to_save": null,
              "use_dora": false,
              "init_lora_weights": true,
              "layers_to_transform": null,
              "layers_pattern": null,
              "inference_mode": true,
              "revision": null
            }
            """;

    @BeforeAll
    static void fixtures() throws Exception {
        TorchRuntime.init();
        tiny = TinyModelCopies.tinyQwen();
        adapter = Files.createDirectories(tmp.resolve("adapter"));
        Files.writeString(adapter.resolve(PeftAdapter.CONFIG_FILE), CONFIG);
        SafetensorsWriter lora = new SafetensorsWriter();
        SafetensorsWriter mergedWeights = new SafetensorsWriter();
        SplittableRandom rnd = new SplittableRandom(2024);
        try (TensorSource base = TensorSource.open(tiny)) {
            for (String name : base.names()) {
                float[] w = base.readFloats(name);
                long[] shape = base.entry(name).shape();
                String module = name.replaceAll("\\.weight$", "");
                String kind = RANK_ALPHA.keySet().stream()
                        .filter(k -> module.endsWith("." + k))
                        .findFirst()
                        .orElse(null);
                if (kind != null && name.endsWith(".weight")) {
                    int r = (int) RANK_ALPHA.get(kind)[0];
                    double scaling = RANK_ALPHA.get(kind)[1] / Math.sqrt(r); // rsLoRA
                    int out = (int) shape[0], in = (int) shape[1];
                    float[] a = gaussian(rnd, r * in, 0.2), b = gaussian(rnd, out * r, 0.2);
                    lora.add(
                            "base_model.model." + module + ".lora_A.weight",
                            a,
                            new long[] {r, in},
                            SafetensorsDtype.F32);
                    lora.add(
                            "base_model.model." + module + ".lora_B.weight",
                            b,
                            new long[] {out, r},
                            SafetensorsDtype.F32);
                    for (int o = 0; o < out; o++) {
                        for (int i = 0; i < in; i++) {
                            double ba = 0;
                            for (int k = 0; k < r; k++) {
                                ba += (double) b[o * r + k] * a[k * in + i];
                            }
                            w[o * in + i] = (float) (w[o * in + i] + scaling * ba);
                        }
                    }
                }
                mergedWeights.add(name, w, shape, SafetensorsDtype.F32);
            }
        }
        lora.write(adapter.resolve(PeftAdapter.WEIGHTS_FILE));
        merged = Files.createDirectories(tmp.resolve("merged"));
        try (var files = Files.list(tiny)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().equals(TensorSource.SINGLE_FILE)) {
                    Files.copy(f, merged.resolve(f.getFileName()));
                }
            }
        }
        mergedWeights.write(merged.resolve(TensorSource.SINGLE_FILE));
    }

    private static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * rnd.nextGaussian());
        }
        return v;
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static JsonNode generate(Path model, Path adapterDir, String temperature) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(
                "generate",
                "--model",
                model.toString(),
                "--prompt-ids",
                "5,17,3,22,9",
                "--max-new-tokens",
                "12",
                "--temperature",
                temperature,
                "--seed",
                "3",
                "--json"));
        if (adapterDir != null) {
            args.addAll(List.of("--adapter", adapterDir.toString()));
        }
        Run r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out().lines().findFirst().orElseThrow());
    }

    @Test
    void aHandWrittenPeftAdapterGeneratesWhatTheMergedWeightsGenerate() throws Exception {
        for (String temperature : new String[] {"0", "1"}) {
            JsonNode withAdapter = generate(tiny, adapter, temperature);
            JsonNode mergedModel = generate(merged, null, temperature);
            JsonNode baseAlone = generate(tiny, null, temperature);
            assertThat(withAdapter.get("completion_ids"))
                    .as("T=%s", temperature)
                    .isEqualTo(mergedModel.get("completion_ids"));
            assertThat(withAdapter.get("logprobs"))
                    .hasSize(mergedModel.get("logprobs").size());
            double moved = 0;
            for (int i = 0; i < withAdapter.get("logprobs").size(); i++) {
                double a = withAdapter.get("logprobs").get(i).asDouble();
                assertThat(a)
                        .as("T=%s, token %d", temperature, i)
                        .isCloseTo(mergedModel.get("logprobs").get(i).asDouble(), within(1e-5));
                if (i < baseAlone.get("logprobs").size()) {
                    moved = Math.max(
                            moved, Math.abs(a - baseAlone.get("logprobs").get(i).asDouble()));
                }
            }
            assertThat(moved).as("the adapter changes the model").isGreaterThan(1e-3);
        }
    }

    @Test
    void exportWritesTheMergedModel() throws Exception {
        Path out = tmp.resolve("exported");
        Run r = run("export", "--model", tiny.toString(), "--adapter", adapter.toString(), "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("tokenizer.json")).isRegularFile();
        try (NDManager m = NDManager.newBaseManager()) {
            QwenModel exported = HfCheckpoint.load(out, m);
            QwenModel reference = HfCheckpoint.load(merged, m);
            QwenModel adapted = PeftAdapter.attach(HfCheckpoint.load(tiny, m), adapter, null, 0, m);
            double worstWeight = 0;
            for (Map.Entry<String, NDArray> e : reference.weights().entrySet()) {
                worstWeight = Math.max(
                        worstWeight,
                        exported.weights()
                                .get(e.getKey())
                                .sub(e.getValue())
                                .abs()
                                .max()
                                .getFloat());
            }
            assertThat(worstWeight)
                    .as("exported vs independently merged weights")
                    .isLessThan(1e-6);
            NDArray ids = m.create(new long[] {5, 17, 3, 22, 9, 30, 41, 2}, new Shape(1, 8));
            NDArray positions = m.arange(0, 8, 1, DataType.INT64).reshape(1, 8);
            NDArray a = exported.logits(exported.forward(ids, positions, null, null));
            NDArray b = adapted.logits(adapted.forward(ids, positions, null, null));
            assertThat(a.sub(b).abs().max().getFloat())
                    .as("merged export vs base + adapter")
                    .isLessThan(1e-5f);
        }
    }

    @Test
    void evalWithAnAdapterEqualsEvalOfTheMergedModel() throws Exception {
        Path yaml = tmp.resolve("eval.yaml");
        Files.writeString(yaml, """
                model: {path: %s, device: cpu}
                data:
                  train: {kind: synthetic, task: arithmetic, size: 50, seed: 1, split: train, max-digits: 2}
                  eval: {kind: synthetic, task: arithmetic, size: 30, seed: 2, split: held-out, max-digits: 2}
                rollout: {max-new-tokens: 6, eval-temperature: 0.0}
                rewards: [{name: math, options: {style: gsm8k}}]
                """.formatted(tiny.toString().replace("\\", "/")));
        Run withAdapter = run(
                "eval",
                "--model",
                tiny.toString(),
                "--adapter",
                adapter.toString(),
                "--config",
                yaml.toString(),
                "--n",
                "1");
        Run mergedModel = run("eval", "--model", merged.toString(), "--config", yaml.toString(), "--n", "1");
        assertThat(withAdapter.code()).as(withAdapter.err()).isZero();
        assertThat(mergedModel.code()).as(mergedModel.err()).isZero();
        assertThat(withAdapter.out()).isEqualTo(mergedModel.out());
    }

    @Test
    void badAdaptersAreOneLineErrorsWithExitCode2() throws Exception {
        Path dora = Files.createDirectories(tmp.resolve("dora"));
        Files.writeString(
                dora.resolve(PeftAdapter.CONFIG_FILE), CONFIG.replace("\"use_dora\": false", "\"use_dora\": true"));
        Files.copy(adapter.resolve(PeftAdapter.WEIGHTS_FILE), dora.resolve(PeftAdapter.WEIGHTS_FILE));
        Run r = run("generate", "--model", tiny.toString(), "--adapter", dora.toString(), "--prompt-ids", "1,2");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .startsWith("error: ")
                .contains(dora.resolve(PeftAdapter.CONFIG_FILE).toString(), "use_dora");
        Run missing = run(
                "export",
                "--model",
                tiny.toString(),
                "--adapter",
                tmp.resolve("nowhere").toString(),
                "--out",
                tmp.resolve("x").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--adapter: ").contains("is not a directory");
        // an adapter whose tensors are for another model: shape mismatch names the tensor
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve(PeftAdapter.CONFIG_FILE), CONFIG.replace("\"q_proj\": 2", "\"q_proj\": 3"));
        Files.copy(adapter.resolve(PeftAdapter.WEIGHTS_FILE), other.resolve(PeftAdapter.WEIGHTS_FILE));
        Run shape = run("generate", "--model", tiny.toString(), "--adapter", other.toString(), "--prompt-ids", "1,2");
        assertThat(shape.code()).isEqualTo(2);
        assertThat(shape.err())
                .contains(other.resolve(PeftAdapter.WEIGHTS_FILE).toString())
                .contains("q_proj.lora_A.weight' has shape (2, 128), expected (3, 128)");
    }
}
