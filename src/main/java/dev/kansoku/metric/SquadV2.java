package dev.kansoku.metric;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The official SQuAD 2.0 evaluation (as the Hugging Face {@code squad_v2} metric runs it for
 * lm-evaluation-harness v0.4.2), per question: answers normalised (lower case, punctuation and English
 * articles removed, whitespace collapsed); an unanswerable question has the single gold answer "";
 * {@code exact} / {@code f1} = the best over gold answers. The no-answer probability counts only above the
 * threshold 1.0 — which exp(log-likelihood) never exceeds, so as in the reference it changes nothing.
 */
public final class SquadV2 {
  static final double NO_ANSWER_THRESHOLD = 1.0;
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  private SquadV2() {}

  public record Score(double exact, double f1) {}

  public static Score score(String prediction, List<String> goldAnswers, double noAnswerProbability) {
    List<String> golds = new ArrayList<>();
    for (String g : goldAnswers) {
      if (!normalize(g).isEmpty()) {
        golds.add(g);
      }
    }
    if (golds.isEmpty()) {
      golds.add("");
    }
    if (noAnswerProbability > NO_ANSWER_THRESHOLD) {
      double v = goldAnswers.stream().allMatch(g -> normalize(g).isEmpty()) ? 1.0 : 0.0;
      return new Score(v, v);
    }
    double exact = 0;
    double f1 = 0;
    for (String g : golds) {
      exact = Math.max(exact, normalize(g).equals(normalize(prediction)) ? 1.0 : 0.0);
      f1 = Math.max(f1, f1(g, prediction));
    }
    return new Score(exact, f1);
  }

  static double f1(String gold, String prediction) {
    List<String> g = Tokenizer13a.pythonSplit(normalize(gold));
    List<String> p = Tokenizer13a.pythonSplit(normalize(prediction));
    if (g.isEmpty() || p.isEmpty()) {
      return g.equals(p) ? 1.0 : 0.0;
    }
    Map<String, Integer> counts = new HashMap<>();
    g.forEach(t -> counts.merge(t, 1, Integer::sum));
    int same = 0;
    for (String t : p) {
      Integer c = counts.get(t);
      if (c != null && c > 0) {
        same++;
        counts.put(t, c - 1);
      }
    }
    if (same == 0) {
      return 0.0;
    }
    double precision = (double) same / p.size();
    double recall = (double) same / g.size();
    return 2 * precision * recall / (precision + recall);
  }

  /** {@code normalize_answer}: lower, drop punctuation, drop a/an/the, collapse whitespace. */
  static String normalize(String s) {
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    StringBuilder b = new StringBuilder();
    lower.codePoints().filter(cp -> cp > 127 || PUNCTUATION.indexOf(cp) < 0).forEach(b::appendCodePoint);
    String noArticles = java.util.regex.Pattern.compile("\\b(a|an|the)\\b", java.util.regex.Pattern.UNICODE_CHARACTER_CLASS)
        .matcher(b.toString()).replaceAll(" ");
    return String.join(" ", Tokenizer13a.pythonSplit(noArticles));
  }
}
