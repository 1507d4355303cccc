package dev.kansoku.metric;

import java.util.List;

/**
 * One metric, after deequ's split of a metric from its state: it scores one example from the example's
 * responses, and a task score is what the examples' {@link AggregateState}s merge into (a mean for most metrics,
 * corpus BLEU from summed n-gram statistics, the JP harness' bootstrap for its ROUGE-2). A new metric is one class
 * implementing this plus one line in {@link Metrics}.
 */
public interface Metric {
  /** The name in {@code task.metrics} and in the example_scores table. */
  String name();

  /** The example's scores: one row, except {@code pass@1} which adds one per executed sample. */
  List<ExampleScore> score(List<ChoiceResponse> responses, ScoringContext context);

  /** An empty state of this metric's task score; the examples' scores of this metric are added to it. */
  AggregateState newState();

  /** Whether the metric is a corpus metric (not a mean of example scores: no per-subset means, no example stderr). */
  default boolean corpus() {
    return false;
  }

  /** Whether scoring runs model-written code (the score stage executes it in the sandbox first). */
  default boolean executesCode() {
    return false;
  }

  /** Whether scoring needs the model's own tokenizer ({@link ScoringContext#modelPieces}). */
  default boolean needsModelTokens() {
    return false;
  }
}
