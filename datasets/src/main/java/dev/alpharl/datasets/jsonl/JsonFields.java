package dev.alpharl.datasets.jsonl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** Typed access to fields of a JSON record by dotted path ({@code a.b.0.c}; numeric segments index arrays). */
final class JsonFields {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonFields() {}

    /** The node at {@code path}, or null when any step is absent (a JSON null counts as absent). */
    static JsonNode find(JsonNode root, String path) {
        JsonNode node = root;
        for (String segment : path.split("\\.", -1)) {
            if (node == null) {
                return null;
            }
            if (node.isArray() && !segment.isEmpty() && segment.chars().allMatch(Character::isDigit)) {
                node = node.get(Integer.parseInt(segment));
            } else if (node.isObject()) {
                node = node.get(segment);
            } else {
                return null;
            }
        }
        return node == null || node.isNull() ? null : node;
    }

    static JsonNode require(JsonNode root, String path) {
        JsonNode node = find(root, path);
        if (node == null) {
            throw new MalformedRecordException("missing field '" + path + "'");
        }
        return node;
    }

    static String requireString(JsonNode root, String path) {
        JsonNode node = require(root, path);
        if (!node.isTextual()) {
            throw new MalformedRecordException("field '" + path + "': expected a string, got " + describe(node));
        }
        return node.asText();
    }

    /** A string, or a number written as text (answers such as 42 are often stored as numbers). */
    static String requireScalarText(JsonNode root, String path) {
        JsonNode node = require(root, path);
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isNumber()) {
            return node.isIntegralNumber()
                    ? node.bigIntegerValue().toString()
                    : node.decimalValue().toPlainString();
        }
        throw new MalformedRecordException(
                "field '" + path + "': expected a string or a number, got " + describe(node));
    }

    /** The id at {@code path} when present (string or integer), else {@code fallback}. */
    static String idOr(JsonNode root, String path, String fallback) {
        JsonNode node = find(root, path);
        if (node == null) {
            return fallback;
        }
        if (node.isTextual() || node.isIntegralNumber()) {
            return node.asText();
        }
        throw new MalformedRecordException(
                "field '" + path + "': expected a string or an integer id, got " + describe(node));
    }

    /**
     * Prompt text: a string, or a chat message list [{role, content}, ...] from which the last user message's
     * content is taken.
     */
    static String requirePrompt(JsonNode root, String path) {
        JsonNode node = require(root, path);
        if (node.isTextual()) {
            return node.asText();
        }
        if (!node.isArray()) {
            throw new MalformedRecordException("field '" + path
                    + "': expected a string or a list of {role, content} messages, got " + describe(node));
        }
        String user = null;
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (!m.isObject() || role == null || !role.isTextual() || content == null || !content.isTextual()) {
                throw new MalformedRecordException("field '" + path + "." + i
                        + "': expected a message {\"role\": string, \"content\": string}, got " + describe(m));
            }
            if (role.asText().equals("user")) {
                user = content.asText();
            }
        }
        if (user == null) {
            throw new MalformedRecordException("field '" + path + "': expected a message with role \"user\"");
        }
        return user;
    }

    /** A JSON value as plain Java: Integer/Long/BigInteger, Double, String, Boolean, List, Map. */
    static Object toJava(JsonNode node) {
        try {
            return MAPPER.treeToValue(node, Object.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MalformedRecordException("cannot convert " + describe(node) + ": " + e.getOriginalMessage());
        }
    }

    /** The listed top-level fields that are present, as plain Java values. */
    static Map<String, Object> copy(JsonNode root, String... names) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : names) {
            JsonNode v = find(root, name);
            if (v != null) {
                out.put(name, toJava(v));
            }
        }
        return out;
    }

    static String describe(JsonNode node) {
        String type = switch (node.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case STRING -> "a string";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
        String text = node.toString();
        return type + " " + (text.length() > 60 ? text.substring(0, 57) + "..." : text);
    }
}
