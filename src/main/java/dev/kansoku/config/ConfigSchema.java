package dev.kansoku.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys a configuration section may hold, their types and whether they are required. Validation fails on
 * the first unknown key, missing required key or wrong type, naming the file, line and full key path.
 */
public final class ConfigSchema {
  /** Value kinds a key may take. {@code MAP} accepts any nested object (pass-through settings). */
  public enum Kind { STRING, INT, INT_OR_AUTO, NUMBER, BOOLEAN, STRING_LIST, MAP, SECTION }

  private record Field(Kind kind, boolean required, boolean nullable, ConfigSchema section) {}

  private final Map<String, Field> fields = new LinkedHashMap<>();

  public static ConfigSchema of() {
    return new ConfigSchema();
  }

  public ConfigSchema required(String key, Kind kind) {
    fields.put(key, new Field(kind, true, false, null));
    return this;
  }

  public ConfigSchema optional(String key, Kind kind) {
    fields.put(key, new Field(kind, false, false, null));
    return this;
  }

  /** An optional key whose value may be {@code null} (e.g. undisclosed training tokens). */
  public ConfigSchema nullable(String key, Kind kind) {
    fields.put(key, new Field(kind, false, true, null));
    return this;
  }

  public ConfigSchema section(String key, boolean required, ConfigSchema section) {
    fields.put(key, new Field(Kind.SECTION, required, false, section));
    return this;
  }

  /**
   * Validates {@code config} under {@code prefix} (e.g. "task").
   *
   * @param fallbackWhere where to say the problem is when the value has no origin (e.g. a missing key)
   */
  public void validate(Config config, String prefix, String fallbackWhere) {
    if (!config.hasPathOrNull(prefix)) {
      throw new ConfigError(fallbackWhere, prefix, "missing section");
    }
    ConfigValue root = config.getValue(prefix);
    if (root.valueType() != ConfigValueType.OBJECT) {
      throw new ConfigError(where(root.origin(), fallbackWhere), prefix, "expected a section { ... }, got " + describe(root));
    }
    validateSection(config.getConfig(prefix), prefix, fallbackWhere);
  }

  private void validateSection(Config section, String prefix, String fallbackWhere) {
    for (String key : section.root().keySet()) {
      if (!fields.containsKey(key)) {
        ConfigValue v = section.root().get(key);
        throw new ConfigError(where(v.origin(), fallbackWhere), prefix + "." + key,
            "unknown key (known keys: " + String.join(", ", fields.keySet()) + ")");
      }
    }
    for (Map.Entry<String, Field> e : fields.entrySet()) {
      String key = e.getKey();
      Field f = e.getValue();
      String path = prefix + "." + key;
      ConfigValue v = section.root().get(key);
      if (v == null || v.valueType() == ConfigValueType.NULL) {
        if (v != null && f.nullable()) {
          continue;
        }
        if (f.required()) {
          throw new ConfigError(v == null ? where(section.origin(), fallbackWhere) : where(v.origin(), fallbackWhere),
              path, v == null ? "required key is missing" : "must not be null");
        }
        if (v != null && !f.nullable()) {
          throw new ConfigError(where(v.origin(), fallbackWhere), path, "must not be null");
        }
        continue;
      }
      String problem = typeProblem(f.kind(), v);
      if (problem != null) {
        throw new ConfigError(where(v.origin(), fallbackWhere), path, problem);
      }
      if (f.kind() == Kind.SECTION) {
        f.section().validateSection(section.getConfig(quote(key)), path, fallbackWhere);
      }
    }
  }

  private static String quote(String key) {
    return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
  }

  private static String typeProblem(Kind kind, ConfigValue v) {
    ConfigValueType t = v.valueType();
    Object raw = v.unwrapped();
    return switch (kind) {
      case STRING -> t == ConfigValueType.STRING ? null : "expected a string, got " + describe(v);
      case BOOLEAN -> t == ConfigValueType.BOOLEAN ? null : "expected true or false, got " + describe(v);
      case NUMBER -> t == ConfigValueType.NUMBER ? null : "expected a number, got " + describe(v);
      case INT -> t == ConfigValueType.NUMBER && raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
          ? null : "expected an integer, got " + describe(v);
      case INT_OR_AUTO -> t == ConfigValueType.NUMBER && raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
          || "auto".equals(raw) ? null : "expected an integer or \"auto\", got " + describe(v);
      case MAP, SECTION -> t == ConfigValueType.OBJECT ? null : "expected a section { ... }, got " + describe(v);
      case STRING_LIST -> {
        if (t != ConfigValueType.LIST) {
          yield "expected a list of strings, got " + describe(v);
        }
        for (ConfigValue item : (ConfigList) v) {
          if (item.valueType() != ConfigValueType.STRING) {
            yield "expected a list of strings, found item " + describe(item);
          }
        }
        yield null;
      }
    };
  }

  private static String describe(ConfigValue v) {
    String rendered = v.render(com.typesafe.config.ConfigRenderOptions.concise());
    if (rendered.length() > 40) {
      rendered = rendered.substring(0, 37) + "...";
    }
    return v.valueType().name().toLowerCase() + " " + rendered;
  }

  /** "file:line" of a value, or the fallback when the value was not read from a file. */
  public static String where(ConfigOrigin origin, String fallback) {
    if (origin == null) {
      return fallback;
    }
    String file = origin.filename();
    if (file == null && origin.url() != null) {
      file = origin.url().getPath();
    }
    if (file == null) {
      return origin.description() != null && !origin.description().isBlank() ? origin.description() : fallback;
    }
    return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() : file;
  }
}
