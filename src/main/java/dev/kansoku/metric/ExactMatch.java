package dev.kansoku.metric;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Hugging Face {@code exact_match} metric as lm-evaluation-harness v0.4.2 calls it: each regex in
 * {@code regexesToIgnore} removed ({@code re.sub(r, "", x)}) from prediction and reference in turn, then
 * optional lower-casing and removal of ASCII punctuation, then string equality. With several references
 * (TriviaQA's aliases) an example scores 1 when any matches, as the harness' multiple-target rule does.
 */
public final class ExactMatch {
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  private final List<Pattern> ignore;
  private final boolean ignoreCase;
  private final boolean ignorePunctuation;

  public ExactMatch(List<String> regexesToIgnore, boolean ignoreCase, boolean ignorePunctuation) {
    // Python's re: "$" also matches before a final newline, "." does not match newlines — Java's defaults agree
    this.ignore = regexesToIgnore.stream().map(Pattern::compile).toList();
    this.ignoreCase = ignoreCase;
    this.ignorePunctuation = ignorePunctuation;
  }

  public boolean matches(String prediction, List<String> references) {
    String p = normalize(prediction);
    return references.stream().anyMatch(r -> normalize(r).equals(p));
  }

  String normalize(String s) {
    String out = s;
    for (Pattern r : ignore) {
      out = r.matcher(out).replaceAll("");
    }
    if (ignoreCase) {
      out = out.toLowerCase(Locale.ROOT);
    }
    if (ignorePunctuation) {
      StringBuilder b = new StringBuilder();
      out.codePoints().filter(cp -> cp > 127 || PUNCTUATION.indexOf(cp) < 0).forEach(b::appendCodePoint);
      out = b.toString();
    }
    return out;
  }
}
