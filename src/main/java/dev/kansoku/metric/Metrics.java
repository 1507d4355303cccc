package dev.kansoku.metric;

import dev.kansoku.config.Registry;
import java.util.List;

/**
 * Every {@code task.metrics} name, used by the scorer, the config loader's checks (through {@link MetricVocabulary}),
 * {@code kansoku metric} and the aggregation.
 */
public final class Metrics {
  public static final Registry<Metric> REGISTRY = Registry.<Metric>builder("metric")
      .add("acc", Accuracy::new)
      .add("bleu", BleuMetric::new)
      .add("char_f1", CharF1Metric::new)
      .add("exact", () -> new SquadMetric(true))
      .add("exact_match", ExactMatchMetric::new)
      .add("f1", () -> new SquadMetric(false))
      .add("pass@1", PassAtOne::new)
      .add("rouge2", Rouge2Metric::new)
      .add("rouge2_jp_harness", JpHarnessRouge2Metric::new)
      .build();

  /** The rows pass@1 writes per sample beside the example's estimate: kept, never aggregated into a task score. */
  public static final String SAMPLE_ROW = "passed";

  private Metrics() {}

  public static Metric named(String name) {
    return REGISTRY.get(name);
  }

  /** Whether any of the metrics runs model-written code. */
  public static boolean executesCode(List<String> metrics) {
    return metrics.stream().anyMatch(m -> named(m).executesCode());
  }

  /** Whether any of the metrics is scored on the model's own tokens. */
  public static boolean needModelTokens(List<String> metrics) {
    return metrics.stream().anyMatch(m -> named(m).needsModelTokens());
  }

  /** The registered corpus metrics (task score not a mean of example scores). */
  public static List<String> corpusMetrics() {
    return REGISTRY.names().stream().filter(m -> named(m).corpus()).toList();
  }
}
