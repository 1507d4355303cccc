package dev.kansoku.task;

import java.io.Serializable;
import java.util.Map;

/**
 * One benchmark example as read from its published file: a stable id (its position or its own id field) and
 * its fields as strings. {@code source} says where it came from, for error messages.
 */
public record Doc(String id, Map<String, String> fields, String source) implements Serializable {
  public String get(String field) {
    String v = fields.get(field);
    if (v == null) {
      throw new DatasetFormatException(source, field, "field missing");
    }
    return v;
  }

  /** The example's subject for per-subject scores (MMLU, JMMLU, BBH), or null. */
  public String subset() {
    return fields.get("subject");
  }
}
