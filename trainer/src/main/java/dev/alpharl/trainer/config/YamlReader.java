package dev.alpharl.trainer.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.alpharl.trainer.config.ConfigNode.Mapping;
import dev.alpharl.trainer.config.ConfigNode.Scalar;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Reads YAML text into a {@link ConfigNode} tree whose nodes carry "source:line" origins. */
final class YamlReader {
    private static final YAMLFactory FACTORY = YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL) // "key:" with nothing after it is null, not ""
            .build();

    private YamlReader() {}

    /** The root mapping of {@code text}; an empty document is an empty mapping. */
    static Mapping read(String text, String source) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new Mapping(new Origin(source));
            }
            ConfigNode root = readNode(parser, source);
            if (!(root instanceof Mapping mapping)) {
                throw ConfigException.at(root.origin(), "a config must be a mapping of sections (run:, model:, ...)");
            }
            Mapping named = new Mapping(new Origin(source)); // "missing key" errors name the file, not a line
            mapping.keys().forEach(key -> named.put(key, mapping.keyOrigin(key), mapping.get(key)));
            return named;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            String detail =
                    e.getOriginalMessage().lines().findFirst().orElse("").trim();
            throw new ConfigException(source + (line > 0 ? ":" + line : "") + ": invalid YAML: " + detail, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ConfigNode readNode(JsonParser parser, String source) throws IOException {
        Origin origin = Origin.line(source, parser.currentTokenLocation().getLineNr());
        switch (parser.currentToken()) {
            case START_OBJECT -> {
                Mapping mapping = new Mapping(origin);
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    Origin keyOrigin =
                            Origin.line(source, parser.currentTokenLocation().getLineNr());
                    if (mapping.get(key) != null) {
                        throw ConfigException.at(keyOrigin, "duplicate key " + key);
                    }
                    parser.nextToken();
                    mapping.put(key, keyOrigin, readNode(parser, source));
                }
                return mapping;
            }
            case START_ARRAY -> {
                ConfigNode.Sequence sequence = ConfigNode.sequence(origin);
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    sequence.items().add(readNode(parser, source));
                }
                return sequence;
            }
            case VALUE_NULL -> {
                return new Scalar(null, origin);
            }
            default -> {
                return new Scalar(parser.getText(), origin);
            }
        }
    }
}
