package dev.kansoku.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the JSON-based loaders share: reading a whole file, and an object's fields as strings. */
final class JsonRecords {
  static final ObjectMapper JSON = new ObjectMapper();

  private JsonRecords() {}

  /** The file's JSON tree; a file that does not parse is an error naming it. */
  static JsonNode readFile(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new DatasetFormatException(file.toString(), "file", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  /** Top-level fields of an object: scalars as text, nested values as JSON. */
  static Map<String, String> fields(JsonNode object) {
    Map<String, String> fields = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
    return fields;
  }
}
