package dev.alpharl.trainer.tensor.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A sharded checkpoint seen as one: {@code model.safetensors.index.json} maps each tensor name to a shard file in the
 * same directory (QWEN.md §3.3). Opening reads the index and every shard's header and checks that each listed tensor
 * is in its shard; data is read on demand. Tensors a shard holds but the index does not list are not exposed.
 */
public final class ShardedSafetensors implements TensorSource {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path index;
    private final Map<String, SafetensorsFile> shardOf; // tensor name → its open shard, sorted by name
    private final Map<String, SafetensorsFile> shards; // shard file name → open shard

    private ShardedSafetensors(Path index, Map<String, SafetensorsFile> shardOf, Map<String, SafetensorsFile> shards) {
        this.index = index;
        this.shardOf = shardOf;
        this.shards = shards;
    }

    /** Opens an index file and all the shards it names. */
    public static ShardedSafetensors open(Path index) throws IOException {
        JsonNode weightMap = readWeightMap(index);
        Path dir = index.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> shards = new TreeMap<>();
        Map<String, SafetensorsFile> shardOf = new TreeMap<>();
        try {
            for (Map.Entry<String, JsonNode> field : weightMap.properties()) {
                String tensor = field.getKey();
                String shardName = shardFileName(index, tensor, field.getValue());
                SafetensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    shard = openShard(index, tensor, dir.resolve(shardName));
                    shards.put(shardName, shard);
                }
                if (!shard.names().contains(tensor)) {
                    throw new SafetensorsException(
                            index,
                            tensor,
                            "listed in weight_map under shard '" + shardName + "', but that shard does not contain it");
                }
                shardOf.put(tensor, shard);
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile shard : shards.values()) {
                try {
                    shard.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new ShardedSafetensors(index, Collections.unmodifiableMap(shardOf), Collections.unmodifiableMap(shards));
    }

    private static JsonNode readWeightMap(Path index) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(index));
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(index, null, "index file does not exist", e);
        } catch (JacksonException e) {
            throw new SafetensorsException(index, null, "index is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(index, null, "index is not a JSON object");
        }
        JsonNode weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsException(
                    index, null, "index has no \"weight_map\" object (tensor name → shard file)");
        }
        return weightMap;
    }

    /** A shard must be a plain file name in the index's directory. */
    private static String shardFileName(Path index, String tensor, JsonNode value) throws SafetensorsException {
        if (!value.isTextual() || value.textValue().isEmpty()) {
            throw new SafetensorsException(index, tensor, "weight_map value must be a shard file name, got " + value);
        }
        String name = value.textValue();
        Path asPath = Path.of(name);
        if (asPath.getNameCount() != 1 || asPath.isAbsolute() || name.equals("..") || name.equals(".")) {
            throw new SafetensorsException(
                    index, tensor, "shard '" + name + "' is not a file name in the index's directory");
        }
        return name;
    }

    private static SafetensorsFile openShard(Path index, String tensor, Path shardPath) throws IOException {
        if (!Files.isRegularFile(shardPath)) {
            throw new SafetensorsException(index, tensor, "shard file " + shardPath + " is missing");
        }
        return SafetensorsFile.open(shardPath);
    }

    public Path index() {
        return index;
    }

    /** The open shards, keyed by file name. */
    public Map<String, SafetensorsFile> shards() {
        return shards;
    }

    @Override
    public Set<String> names() {
        return shardOf.keySet();
    }

    @Override
    public TensorEntry entry(String name) throws SafetensorsException {
        return shardFor(name).entry(name);
    }

    @Override
    public NDArray load(String name, NDManager manager) throws IOException {
        return shardFor(name).load(name, manager);
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType type) throws IOException {
        return shardFor(name).load(name, manager, type);
    }

    @Override
    public float[] readFloats(String name) throws IOException {
        return shardFor(name).readFloats(name);
    }

    private SafetensorsFile shardFor(String name) throws SafetensorsException {
        SafetensorsFile shard = shardOf.get(name);
        if (shard == null) {
            throw new SafetensorsException(
                    index, name, "no such tensor in weight_map (" + shardOf.size() + " tensors)");
        }
        return shard;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile shard : shards.values()) {
            try {
                shard.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
