package dev.kansoku.metric;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
  public static final List<String> METRICS = List.of("bleu", "rouge2_jp_harness");
  static final int BOOTSTRAP_RESAMPLES = 1000;
  static final long BOOTSTRAP_SEED = 1234L;

  private CorpusMetrics() {}

  /** One example's row of a corpus metric. */
  public record Item(String modelId, String taskId, String metric, String detail, String exampleId, double value) {
    public Item(String modelId, String taskId, String metric, String detail) {
      this(modelId, taskId, metric, detail, null, Double.NaN);
    }
  }

  /** A corpus score in [0, 1] and its bootstrap standard error. */
  public record Result(double value, Double stderr) {}

  public static String key(String modelId, String taskId, String metric) {
    return modelId + "\u0000" + taskId + "\u0000" + metric;
  }

  public static Map<String, Result> compute(List<Item> items) {
    return compute(items, Map.of());
  }

  /**
   * @param evalDocs task id → documents in its evaluated split (the JP harness' document order is a shuffle of
   *     that many positions)
   */
  public static Map<String, Result> compute(List<Item> items, Map<String, Integer> evalDocs) {
    Map<String, List<Item>> groups = new LinkedHashMap<>();
    for (Item i : items) {
      groups.computeIfAbsent(key(i.modelId(), i.taskId(), i.metric()), k -> new ArrayList<>()).add(i);
    }
    Map<String, Result> out = new LinkedHashMap<>();
    groups.forEach((k, group) -> {
      Item first = group.get(0);
      if (first.metric().equals("rouge2_jp_harness")) {
        out.put(k, jpHarnessRouge(group, evalDocs.getOrDefault(first.taskId(), group.size())));
      } else {
        out.put(k, bleu(group.stream().map(i -> Bleu.Stats.decode(i.detail())).toList()));
      }
    });
    return out;
  }

  /**
   * The examples in the order the JP harness evaluates them (its evaluator shuffles the document list with
   * {@code random.Random(42)}; an example id is the document's position in the file), then rouge_score's bootstrap.
   */
  static Result jpHarnessRouge(List<Item> items, int documents) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < documents; i++) {
      order.add(i);
    }
    new dev.kansoku.task.PythonRandom(42).shuffle(order);
    Map<Integer, Integer> rank = new java.util.HashMap<>();
    for (int i = 0; i < order.size(); i++) {
      rank.put(order.get(i), i);
    }
    List<Item> sorted = new ArrayList<>(items);
    sorted.sort(java.util.Comparator.comparingInt(i -> rank.getOrDefault(position(i.exampleId()), Integer.MAX_VALUE)));
    double[] f = sorted.stream().mapToDouble(Item::value).toArray();
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
