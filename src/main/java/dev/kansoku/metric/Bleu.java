package dev.kansoku.metric;

import dev.kansoku.text.PyStrings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU as sacrebleu's {@code corpus_bleu} computes it with its defaults (13a tokenisation, exponential
 * smoothing, one reference, 4-grams): sufficient statistics per segment ({@link Stats}), summed over the
 * corpus, then the score. Japanese output is first segmented into morphemes joined by spaces, as the JP
 * harness does (it uses nagisa; here IPADIC via Kuromoji).
 */
public final class Bleu {
  static final int MAX_ORDER = 4;

  private Bleu() {}

  /** Per-segment counts: system and reference lengths, matching and total n-grams for n = 1..4. */
  public record Stats(long sysLen, long refLen, long[] correct, long[] total) {
    public Stats plus(Stats o) {
      long[] c = new long[MAX_ORDER];
      long[] t = new long[MAX_ORDER];
      for (int i = 0; i < MAX_ORDER; i++) {
        c[i] = correct[i] + o.correct[i];
        t[i] = total[i] + o.total[i];
      }
      return new Stats(sysLen + o.sysLen, refLen + o.refLen, c, t);
    }

    public static Stats zero() {
      return new Stats(0, 0, new long[MAX_ORDER], new long[MAX_ORDER]);
    }

    /** "sys ref c1/t1 c2/t2 c3/t3 c4/t4": stored per example so that corpus BLEU is a sum. */
    public String encode() {
      StringBuilder b = new StringBuilder().append(sysLen).append(' ').append(refLen);
      for (int i = 0; i < MAX_ORDER; i++) {
        b.append(' ').append(correct[i]).append('/').append(total[i]);
      }
      return b.toString();
    }

    public static Stats decode(String s) {
      String[] parts = s.trim().split(" ");
      long[] c = new long[MAX_ORDER];
      long[] t = new long[MAX_ORDER];
      for (int i = 0; i < MAX_ORDER; i++) {
        String[] ct = parts[2 + i].split("/");
        c[i] = Long.parseLong(ct[0]);
        t[i] = Long.parseLong(ct[1]);
      }
      return new Stats(Long.parseLong(parts[0]), Long.parseLong(parts[1]), c, t);
    }
  }

  /**
   * Tokens as BLEU sees them. English (segmenter null): sacrebleu's 13a. Kuromoji: IPADIC morphemes joined by
   * spaces, then 13a (as the JP harness joins nagisa's words and lets sacrebleu's default 13a run). MeCab:
   * sacrebleu's {@code ja-mecab} exactly (MeCab's wakati output of the stripped line, no 13a).
   */
  public static List<String> tokens(String segment, JapaneseSegmenter japanese) {
    if (japanese == JapaneseSegmenter.MECAB) {
      return JapaneseSegmenter.MECAB.segment(PyStrings.strip(segment));
    }
    String s = japanese != null ? String.join(" ", japanese.segment(PyStrings.strip(segment))) : segment;
    return Tokenizer13a.tokenize(s);
  }

  public static List<String> tokens(String segment, boolean japanese) {
    return tokens(segment, japanese ? JapaneseSegmenter.KUROMOJI : null);
  }

  public static Stats stats(String hypothesis, String reference, boolean japanese) {
    return stats(hypothesis, reference, japanese ? JapaneseSegmenter.KUROMOJI : null);
  }

  public static Stats stats(String hypothesis, String reference, JapaneseSegmenter japanese) {
    List<String> hyp = tokens(hypothesis, japanese);
    List<String> ref = tokens(reference, japanese);
    long[] correct = new long[MAX_ORDER];
    long[] total = new long[MAX_ORDER];
    for (int n = 1; n <= MAX_ORDER; n++) {
      Map<List<String>, Integer> refCounts = ngrams(ref, n);
      for (Map.Entry<List<String>, Integer> e : ngrams(hyp, n).entrySet()) {
        correct[n - 1] += Math.min(e.getValue(), refCounts.getOrDefault(e.getKey(), 0));
        total[n - 1] += e.getValue();
      }
    }
    return new Stats(hyp.size(), ref.size(), correct, total);
  }

  private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
    Map<List<String>, Integer> counts = new HashMap<>();
    for (int i = 0; i + n <= tokens.size(); i++) {
      counts.merge(tokens.subList(i, i + n), 1, Integer::sum);
    }
    return counts;
  }

  /** sacrebleu {@code compute_bleu} with smooth_method "exp", on the 0–100 scale. */
  public static double score(Stats s) {
    double bp = 1.0;
    if (s.sysLen < s.refLen) {
      bp = s.sysLen > 0 ? Math.exp(1.0 - (double) s.refLen / s.sysLen) : 0.0;
    }
    boolean anyCorrect = false;
    for (long c : s.correct) {
      anyCorrect |= c > 0;
    }
    if (!anyCorrect) {
      return 0.0;
    }
    double[] precisions = new double[MAX_ORDER];
    double smooth = 1.0;
    for (int n = 1; n <= MAX_ORDER; n++) {
      if (s.total[n - 1] == 0) {
        break;
      }
      if (s.correct[n - 1] == 0) {
        smooth *= 2;
        precisions[n - 1] = 100.0 / (smooth * s.total[n - 1]);
      } else {
        precisions[n - 1] = 100.0 * s.correct[n - 1] / s.total[n - 1];
      }
    }
    double logSum = 0;
    for (double p : precisions) {
      logSum += p == 0 ? -9999999999.0 : Math.log(p);
    }
    return bp * Math.exp(logSum / MAX_ORDER);
  }

  /** Corpus BLEU (0–100) of aligned hypotheses and references. */
  public static double corpus(List<String> hypotheses, List<String> references, boolean japanese) {
    return corpus(hypotheses, references, japanese ? JapaneseSegmenter.KUROMOJI : null);
  }

  public static double corpus(List<String> hypotheses, List<String> references, JapaneseSegmenter japanese) {
    Stats sum = Stats.zero();
    for (int i = 0; i < hypotheses.size(); i++) {
      sum = sum.plus(stats(hypotheses.get(i), references.get(i), japanese));
    }
    return score(sum);
  }
}
