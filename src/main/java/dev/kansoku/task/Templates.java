package dev.kansoku.task;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code {field}} substitution from an example's fields, as Python's {@code str.format} with named fields. */
final class Templates {
  private static final Pattern FIELD = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private Templates() {}

  static String fill(String template, Doc doc) {
    Matcher m = FIELD.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(doc.get(m.group(1))));
    }
    m.appendTail(out);
    return out.toString();
  }
}
