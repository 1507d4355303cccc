package dev.kansoku.metric;

import java.io.Serializable;

/**
 * The mergeable state of one task score: examples' scores are added on executors, partial states of different
 * partitions merge, and the result is read once at the end. Merging must not depend on the order of partitions
 * for the result's meaning (it may in the last bits of a floating-point sum, as Spark's own averages do).
 */
public interface AggregateState extends Serializable {
  /** Adds one example's row of this metric. */
  void add(String exampleId, double value, String detail);

  /** This state with the other's examples added; states of different metrics never merge. */
  AggregateState merge(AggregateState other);

  /** Examples added so far. */
  long count();

  /**
   * The task score.
   *
   * @param evalDocs documents in the task's evaluated split (a metric that orders examples as a framework does uses it)
   */
  Result result(int evalDocs);

  /** A task score in the metric's scale and its standard error (null where none is defined). */
  record Result(double value, Double stderr, long n) {}
}
