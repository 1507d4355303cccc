package dev.kansoku.metric;

import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ROUGE-2 F-measure as Google's {@code rouge_score} computes it for one (reference, prediction) pair: overlap
 * of bigram counts, precision over the prediction's bigrams, recall over the reference's, F = 2PR / (P + R)
 * ({@code rouge_scorer._score_ngrams}).
 *
 * <p>English: rouge_score's default tokenizer without stemmer ({@code tokenize.tokenize}: lower-case, every run
 * of characters outside {@code [a-z0-9]} becomes a space, split on whitespace). Japanese: words from a
 * {@link JapaneseSegmenter}, after the normalisation of the JP harness' MecabTokenizer (emoji dropped,
 * neologdn-style width and whitespace normalisation — approximated here by NFKC and removing spaces between
 * Japanese characters; see the README). The task score is the mean F over examples (the JP harness reports
 * the median of a bootstrap of that mean).
 */
public final class Rouge2 {
  private Rouge2() {}

  /** Japanese ROUGE-2 with the default segmenter (Kuromoji). */
  public static double fmeasure(String reference, String prediction) {
    return fmeasure(reference, prediction, JapaneseSegmenter.KUROMOJI);
  }

  /** ROUGE-2 on Japanese words of {@code japanese}, or on rouge_score's English tokens when it is null. */
  public static double fmeasure(String reference, String prediction, JapaneseSegmenter japanese) {
    return japanese == null
        ? fmeasure(englishTokens(reference), englishTokens(prediction))
        : fmeasure(japanese.segment(normalize(reference)), japanese.segment(normalize(prediction)));
  }

  /** rouge_score's tokenize.tokenize(text, stemmer=None). */
  static List<String> englishTokens(String text) {
    String t = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", " ");
    return java.util.Arrays.stream(t.split("\\s+")).filter(x -> x.matches("[a-z0-9]+")).toList();
  }

  static double fmeasureOfTokens(List<String> referenceTokens, List<String> predictionTokens) {
    return fmeasure(referenceTokens, predictionTokens);
  }

  private static double fmeasure(List<String> referenceTokens, List<String> predictionTokens) {
    Map<List<String>, Integer> ref = bigrams(referenceTokens);
    Map<List<String>, Integer> pred = bigrams(predictionTokens);
    long refTotal = ref.values().stream().mapToLong(Integer::longValue).sum();
    long predTotal = pred.values().stream().mapToLong(Integer::longValue).sum();
    long overlap = 0;
    for (Map.Entry<List<String>, Integer> e : pred.entrySet()) {
      overlap += Math.min(e.getValue(), ref.getOrDefault(e.getKey(), 0));
    }
    double precision = (double) overlap / Math.max(predTotal, 1);
    double recall = (double) overlap / Math.max(refTotal, 1);
    return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
  }

  static Map<List<String>, Integer> bigrams(List<String> tokens) {
    Map<List<String>, Integer> counts = new HashMap<>();
    for (int i = 0; i + 2 <= tokens.size(); i++) {
      counts.merge(tokens.subList(i, i + 2), 1, Integer::sum);
    }
    return counts;
  }

  /** NFKC, emoji removed, whitespace runs → one space, spaces between two Japanese characters removed. */
  static String normalize(String text) {
    StringBuilder noEmoji = new StringBuilder();
    text.codePoints().filter(cp -> !isEmoji(cp)).forEach(noEmoji::appendCodePoint);
    String t = Normalizer.normalize(noEmoji.toString(), Normalizer.Form.NFKC);
    t = String.join(" ", Tokenizer13a.pythonSplit(t));
    return t.replaceAll("(?<=[\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}ー、。]) (?=[\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}ー、。])", "");
  }

  private static boolean isEmoji(int cp) {
    return (cp >= 0x1F600 && cp <= 0x1F64F) || (cp >= 0x1F300 && cp <= 0x1F5FF) || (cp >= 0x1F680 && cp <= 0x1F6FF)
        || (cp >= 0x1F1E0 && cp <= 0x1F1FF) || (cp >= 0x2702 && cp <= 0x27B0) || (cp >= 0x1F900 && cp <= 0x1F9FF);
  }
}
