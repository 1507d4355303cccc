package dev.kansoku.text.jinja;

import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii, indent, separators, sort_keys)}, the body of transformers' own
 * {@code tojson} filter (which replaces Jinja's HTML-escaping one): the same separators by default
 * ({@code ", "} and {@code ": "}, {@code ","} with an indent), the same escapes, floats as Python writes them.
 */
final class PyJson {
  private final boolean ensureAscii;
  private final String indent;
  private final String itemSeparator;
  private final String keySeparator;
  private final boolean sortKeys;

  PyJson(boolean ensureAscii, Object indent, String itemSeparator, String keySeparator, boolean sortKeys) {
    this.ensureAscii = ensureAscii;
    this.indent = indent == null ? null : indent instanceof String s ? s : " ".repeat((int) Math.max(0, Py.toLong(indent)));
    this.itemSeparator = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
    this.keySeparator = keySeparator != null ? keySeparator : ": ";
    this.sortKeys = sortKeys;
  }

  String dumps(Object v) {
    StringBuilder b = new StringBuilder();
    write(v, b, 0);
    return b.toString();
  }

  private void write(Object v, StringBuilder b, int level) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof Boolean x) {
      b.append(x ? "true" : "false");
    } else if (v instanceof Long x) {
      b.append(x);
    } else if (v instanceof Double d) {
      b.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.floatRepr(d));
    } else if (v instanceof String s) {
      string(s, b);
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        b.append("[]");
        return;
      }
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        b.append(i > 0 ? itemSeparator : "");
        newline(b, level + 1);
        write(l.get(i), b, level + 1);
      }
      newline(b, level);
      b.append(']');
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append('{');
      List<? extends Map.Entry<?, ?>> entries = List.copyOf(m.entrySet());
      if (sortKeys) {
        entries = entries.stream().sorted((x, y) -> Py.compare(key(x.getKey()), key(y.getKey()), "<")).toList();
      }
      boolean first = true;
      for (var e : entries) {
        b.append(first ? "" : itemSeparator);
        first = false;
        newline(b, level + 1);
        string(key(e.getKey()), b);
        b.append(keySeparator);
        write(e.getValue(), b, level + 1);
      }
      newline(b, level);
      b.append('}');
    } else {
      throw TemplateException.type("Object of type " + Py.typeName(v) + " is not JSON serializable");
    }
  }

  /** JSON object keys: Python converts int, float, bool and None keys to strings. */
  private static String key(Object k) {
    if (k instanceof String s) {
      return s;
    }
    if (k == null) {
      return "null";
    }
    if (k instanceof Boolean x) {
      return x ? "true" : "false";
    }
    if (k instanceof Long || k instanceof Double) {
      return Py.repr(k);
    }
    throw TemplateException.type("keys must be str, int, float, bool or None, not " + Py.typeName(k));
  }

  private void newline(StringBuilder b, int level) {
    if (indent != null) {
      b.append('\n').append(indent.repeat(level));
    }
  }

  private void string(String s, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || (ensureAscii && c > 0x7e)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
