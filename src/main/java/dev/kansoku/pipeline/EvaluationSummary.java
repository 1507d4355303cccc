package dev.kansoku.pipeline;

import java.util.List;

/** What one evaluate run did, for the console and for tests. */
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
    List<String> skippedTasks) {

  /** One row of the task score table. */
  public record TaskScore(String modelId, String taskId, String metric, double value, Double stderr, long n) {}
}
