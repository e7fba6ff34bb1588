package dev.alpharl.trainer.tensor.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsTest {

    @TempDir
    Path dir;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Six tensors, 176 bytes of data: embed 64 (BF16 [4,8]), four layer tensors of 16 or 32 bytes, norm 16. */
    private SafetensorsWriter sixTensors(Map<String, float[]> values) {
        SafetensorsWriter writer = new SafetensorsWriter();
        add(writer, values, "model.embed_tokens.weight", new long[] {4, 8}, SafetensorsDtype.BF16);
        add(writer, values, "model.layers.0.mlp.up_proj.weight", new long[] {2, 4}, SafetensorsDtype.F32);
        add(writer, values, "model.layers.0.self_attn.q_proj.weight", new long[] {2, 2}, SafetensorsDtype.F32);
        add(writer, values, "model.layers.1.mlp.up_proj.weight", new long[] {2, 4}, SafetensorsDtype.F32);
        add(writer, values, "model.layers.1.self_attn.q_proj.weight", new long[] {2, 2}, SafetensorsDtype.F32);
        add(writer, values, "model.norm.weight", new long[] {4}, SafetensorsDtype.F32);
        return writer;
    }

    private static void add(
            SafetensorsWriter w, Map<String, float[]> values, String name, long[] shape, SafetensorsDtype dtype) {
        int n = (int) (shape[0] * (shape.length > 1 ? shape[1] : 1));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = name.length() + i * 0.25f; // exactly representable in bf16 for these sizes
        }
        values.put(name, v);
        w.add(name, v, shape, dtype);
    }

    @Test
    void shardedWriteAndCombinedReadRoundTrip() throws Exception {
        Map<String, float[]> values = new TreeMap<>();
        List<Path> written = sixTensors(values).writeCheckpoint(dir, 70);
        // greedy in name order with at most 70 bytes of data per shard:
        // [embed 64] [l0.up 32 + l0.q 16 = 48; + l1.up would be 80] [l1.up 32 + l1.q 16 + norm 16 = 64]
        assertThat(written)
                .extracting(p -> p.getFileName().toString())
                .containsExactly(
                        "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                        "model-00003-of-00003.safetensors", "model.safetensors.index.json");

        JsonNode index = new ObjectMapper()
                .readTree(dir.resolve("model.safetensors.index.json").toFile());
        assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(64 + 32 + 16 + 32 + 16 + 16);
        JsonNode weightMap = index.get("weight_map");
        assertThat(weightMap.get("model.embed_tokens.weight").asText()).isEqualTo("model-00001-of-00003.safetensors");
        assertThat(weightMap.get("model.layers.0.mlp.up_proj.weight").asText())
                .isEqualTo("model-00002-of-00003.safetensors");
        assertThat(weightMap.get("model.layers.0.self_attn.q_proj.weight").asText())
                .isEqualTo("model-00002-of-00003.safetensors");
        assertThat(weightMap.get("model.layers.1.mlp.up_proj.weight").asText())
                .isEqualTo("model-00003-of-00003.safetensors");
        assertThat(weightMap.get("model.norm.weight").asText()).isEqualTo("model-00003-of-00003.safetensors");
        List<String> keys = new ArrayList<>();
        weightMap.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).isSorted().hasSize(6);

        try (TensorSource source = TensorSource.open(dir);
                NDManager sub = manager.newSubManager()) {
            assertThat(source).isInstanceOf(ShardedSafetensors.class);
            assertThat(source.names()).containsExactlyElementsOf(values.keySet());
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                assertThat(source.readFloats(e.getKey())).containsExactly(e.getValue());
                NDArray loaded = source.load(e.getKey(), sub);
                assertThat(loaded.toFloatArray()).containsExactly(e.getValue());
                assertThat(source.entry(e.getKey()).file().getFileName().toString())
                        .isEqualTo(weightMap.get(e.getKey()).asText());
            }
            Map<String, NDArray> all = source.loadAll(sub);
            assertThat(all.keySet()).containsExactlyElementsOf(values.keySet());
        }
        try (TensorSource viaIndex = TensorSource.open(dir.resolve("model.safetensors.index.json"))) {
            assertThat(viaIndex.names()).hasSize(6);
        }
    }

    @Test
    void switchingLayoutsRemovesStaleFilesThatHfWouldPickUp() throws Exception {
        Map<String, float[]> values = new TreeMap<>();
        sixTensors(values).writeCheckpoint(dir, 70);
        // everything fits in one file now: model.safetensors, and the old shards + index are gone
        List<Path> single = sixTensors(new TreeMap<>()).writeCheckpoint(dir, 1L << 30);
        assertThat(single).containsExactly(dir.resolve("model.safetensors"));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("model.safetensors"));
        }
        try (TensorSource source = TensorSource.open(dir)) {
            assertThat(source).isInstanceOf(SafetensorsFile.class);
            assertThat(source.readFloats("model.norm.weight")).containsExactly(values.get("model.norm.weight"));
        }
        // back to shards, fewer than before: the single file is removed, and no shard of another count remains
        sixTensors(new TreeMap<>()).writeCheckpoint(dir, 70);
        sixTensors(new TreeMap<>()).writeCheckpoint(dir, 120);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "model-00001-of-00002.safetensors",
                            "model-00002-of-00002.safetensors",
                            "model.safetensors.index.json");
        }
    }

    @Test
    void aTensorLargerThanTheShardLimitGetsItsOwnShard() throws Exception {
        List<Path> written = sixTensors(new TreeMap<>()).writeCheckpoint(dir, 10);
        assertThat(written).hasSize(7); // six shards, one tensor each, plus the index
        try (ShardedSafetensors source = ShardedSafetensors.open(dir.resolve("model.safetensors.index.json"))) {
            assertThat(source.shards()).hasSize(6);
        }
    }

    private Path writeIndex(String weightMapJson) throws Exception {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\":{\"total_size\":4},\"weight_map\":" + weightMapJson + "}");
        return index;
    }

    @Test
    void missingShardIsNamed() throws Exception {
        Path index = writeIndex("{\"w\":\"model-00001-of-00002.safetensors\"}");
        SafetensorsException e = catchThrowableOfType(SafetensorsException.class, () -> ShardedSafetensors.open(index));
        assertThat(e.getMessage())
                .contains("model.safetensors.index.json")
                .contains("tensor 'w'")
                .contains("model-00001-of-00002.safetensors is missing");
    }

    @Test
    void tensorListedInTheIndexButAbsentFromItsShardIsNamed() throws Exception {
        new SafetensorsWriter()
                .add("w", new float[] {1}, new long[] {1}, SafetensorsDtype.F32)
                .write(dir.resolve("model-00001-of-00001.safetensors"));
        Path index =
                writeIndex("{\"w\":\"model-00001-of-00001.safetensors\",\"v\":\"model-00001-of-00001.safetensors\"}");
        SafetensorsException e = catchThrowableOfType(SafetensorsException.class, () -> TensorSource.open(index));
        assertThat(e.getMessage())
                .contains("tensor 'v'")
                .contains("shard 'model-00001-of-00001.safetensors'")
                .contains("does not contain it");
    }

    @Test
    void malformedIndexIsNamed() throws Exception {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\":");
        assertThat(catchThrowableOfType(SafetensorsException.class, () -> ShardedSafetensors.open(index))
                        .getMessage())
                .contains("model.safetensors.index.json")
                .contains("not valid JSON");
        Files.writeString(index, "{\"metadata\":{}}");
        assertThat(catchThrowableOfType(SafetensorsException.class, () -> ShardedSafetensors.open(index))
                        .getMessage())
                .contains("no \"weight_map\" object");
        writeIndex("{\"w\":\"../model.safetensors\"}");
        assertThat(catchThrowableOfType(SafetensorsException.class, () -> ShardedSafetensors.open(index))
                        .getMessage())
                .contains("tensor 'w'")
                .contains("not a file name in the index's directory");
        writeIndex("{\"w\":7}");
        assertThat(catchThrowableOfType(SafetensorsException.class, () -> ShardedSafetensors.open(index))
                        .getMessage())
                .contains("tensor 'w'")
                .contains("must be a shard file name");
    }

    @Test
    void aCorruptShardIsReportedByItsOwnName() throws Exception {
        Files.write(dir.resolve("model-00001-of-00001.safetensors"), new byte[] {1, 2, 3});
        Path index = writeIndex("{\"w\":\"model-00001-of-00001.safetensors\"}");
        SafetensorsException e = catchThrowableOfType(SafetensorsException.class, () -> ShardedSafetensors.open(index));
        assertThat(e.file()).isEqualTo(index.toAbsolutePath().getParent().resolve("model-00001-of-00001.safetensors"));
    }
}
