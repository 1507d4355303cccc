package dev.kansoku.metric;

import dev.kansoku.task.PythonRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Task scores that are not means of example scores: corpus BLEU, from the segments' summed n-gram
 * statistics (stored per example in {@code detail}), with a bootstrap standard error (1,000 resamples of the
 * segments, fixed seed, so a re-run prints the same figure); and XL-Sum's ROUGE-2 as the JP harness aggregates
 * it ({@link JpHarnessRouge}: the middle of rouge_score's bootstrap in the harness' document order).
 */
public final class CorpusMetrics {
  static final int BOOTSTRAP_RESAMPLES = 1000;
  static final long BOOTSTRAP_SEED = 1234L;

  private CorpusMetrics() {}

  /** One example's row of a corpus metric: its id, its own value and its statistics ({@code detail}). */
  public record Segment(String exampleId, double value, String detail) implements java.io.Serializable {}

  /** A corpus score in [0, 1] and its bootstrap standard error. */
  public record Result(double value, Double stderr) {}

  /**
   * The examples in the order the JP harness evaluates them (its evaluator shuffles the document list with
   * {@code random.Random(42)}; an example id is the document's position in the file), then rouge_score's bootstrap.
   */
  static Result jpHarnessRouge(List<Segment> items, int documents) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < documents; i++) {
      order.add(i);
    }
    new PythonRandom(42).shuffle(order);
    Map<Integer, Integer> rank = new java.util.HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      rank.put(order.get(i), i);
    }
    List<Segment> sorted = new ArrayList<>(items);
    sorted.sort(java.util.Comparator.comparingInt(i -> rank.getOrDefault(position(i.exampleId()), Integer.MAX_VALUE)));
    double[] f = sorted.stream().mapToDouble(Segment::value).toArray();
    return new Result(JpHarnessRouge.bootstrapMid(f), null);
  }

  private static int position(String exampleId) {
    try {
      return Integer.parseInt(exampleId);
    } catch (NumberFormatException | NullPointerException e) {
      return Integer.MAX_VALUE;
    }
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
