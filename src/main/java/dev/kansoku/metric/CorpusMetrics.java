package dev.kansoku.metric;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Task scores that are not means of example scores: corpus BLEU, from the segments' summed n-gram
 * statistics (stored per example in {@code detail}), with a bootstrap standard error (1,000 resamples of the
 * segments, fixed seed, so a re-run prints the same figure).
 */
public final class CorpusMetrics {
  public static final List<String> METRICS = List.of("bleu");
  static final int BOOTSTRAP_RESAMPLES = 1000;
  static final long BOOTSTRAP_SEED = 1234L;

  private CorpusMetrics() {}

  /** One example's row of a corpus metric. */
  public record Item(String modelId, String taskId, String metric, String detail) {}

  /** A corpus score in [0, 1] and its bootstrap standard error. */
  public record Result(double value, Double stderr) {}

  public static String key(String modelId, String taskId, String metric) {
    return modelId + "\u0000" + taskId + "\u0000" + metric;
  }

  public static Map<String, Result> compute(List<Item> items) {
    Map<String, List<Bleu.Stats>> groups = new LinkedHashMap<>();
    for (Item i : items) {
      groups.computeIfAbsent(key(i.modelId(), i.taskId(), i.metric()), k -> new ArrayList<>()).add(Bleu.Stats.decode(i.detail()));
    }
    Map<String, Result> out = new LinkedHashMap<>();
    groups.forEach((k, stats) -> out.put(k, bleu(stats)));
    return out;
  }

  static Result bleu(List<Bleu.Stats> segments) {
    double value = Bleu.score(sum(segments)) / 100.0;
    if (segments.size() < 2) {
      return new Result(value, null);
    }
    SplittableRandom random = new SplittableRandom(BOOTSTRAP_SEED);
    double sum = 0;
    double sumSq = 0;
    for (int b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
      Bleu.Stats total = Bleu.Stats.zero();
      for (int i = 0; i < segments.size(); i++) {
        total = total.plus(segments.get(random.nextInt(segments.size())));
      }
      double v = Bleu.score(total) / 100.0;
      sum += v;
      sumSq += v * v;
    }
    double mean = sum / BOOTSTRAP_RESAMPLES;
    double variance = Math.max(0, (sumSq - BOOTSTRAP_RESAMPLES * mean * mean) / (BOOTSTRAP_RESAMPLES - 1));
    return new Result(value, Math.sqrt(variance));
  }

  private static Bleu.Stats sum(List<Bleu.Stats> segments) {
    Bleu.Stats total = Bleu.Stats.zero();
    for (Bleu.Stats s : segments) {
      total = total.plus(s);
    }
    return total;
  }
}
