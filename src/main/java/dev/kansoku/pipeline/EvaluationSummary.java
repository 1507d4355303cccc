package dev.kansoku.pipeline;

import java.util.List;

/** What one evaluate run did, for the console and for tests; {@code computedByModel}: requests each model had to compute (0 = nothing new). */
public record EvaluationSummary(
    String runId,
    String resultsDir,
    long planned,
    long reused,
    long computed,
    long failed,
    long forwardPasses,
    long datasetErrors,
    List<TaskScore> scores,
    java.util.Set<dev.kansoku.sandbox.IsolationLayer> sandboxLayers,
    List<String> skippedTasks,
    java.util.Map<String, Long> computedByModel) {

  /** One row of the task score table. */
  public record TaskScore(String modelId, String taskId, String metric, double value, Double stderr, long n) {}
}
