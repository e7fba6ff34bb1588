package dev.alpharl.trainer.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes a config record as YAML with the same keys the binder reads, so that reading it back gives an equal record. */
public final class ConfigWriter {
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    private ConfigWriter() {}

    public static String toYaml(Record config) {
        try {
            return MAPPER.writeValueAsString(toTree(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write config as YAML", e);
        }
    }

    /** Plain maps, lists and scalars mirroring the YAML layout of {@code value}. */
    static Object toTree(Object value) {
        if (value instanceof Record record) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                try {
                    map.put(
                            ConfigNames.key(component),
                            toTree(component.getAccessor().invoke(record)));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return map;
        } else if (value instanceof List<?> list) {
            List<Object> items = new ArrayList<>(list.size());
            list.forEach(item -> items.add(toTree(item)));
            return items;
        } else if (value instanceof Enum<?> constant) {
            return ConfigNames.enumName(constant);
        } else if (value instanceof Path path) {
            return path.toString();
        }
        return value; // String, Number, Boolean, Map<String, String> or null
    }
}
