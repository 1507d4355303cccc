package dev.kansoku.pipeline;

import dev.kansoku.sandbox.IsolationLayer;
import java.util.List;

/**
 * What one evaluate run did, for the console and for tests; {@code work}: per model and task, the requests planned,
 * reused from earlier runs and computed by this one (0 computed for a model = nothing new); {@code truncated}: responses
 * computed by this run whose context or prompt was cut from the left to fit the maximum length.
 */
public record EvaluationSummary(
    String runId,
    String resultsDir,
    long planned,
    long reused,
    long computed,
    long failed,
    long forwardPasses,
    long truncated,
    long datasetErrors,
    List<TaskScore> scores,
    java.util.Set<IsolationLayer> sandboxLayers,
    List<String> skippedTasks,
    List<TaskWork> work) {

  /** Requests of one model and task: planned, answered by earlier runs, and left to this run to compute. */
  public record TaskWork(String modelId, String taskId, long planned, long reused, long computed) {}

  /** Requests each model had to compute in this run, in model order. */
  public java.util.Map<String, Long> computedByModel() {
    java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
    work.forEach(w -> out.merge(w.modelId(), w.computed(), Long::sum));
    return out;
  }

  /** One row of the task score table. */
  public record TaskScore(String modelId, String taskId, String metric, double value, Double stderr, long n) {}
}
