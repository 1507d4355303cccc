package dev.kansoku.config;

import java.util.List;

/**
 * Everything a job needs, validated: run settings, the suite's tasks and the selected models.
 * {@code skippedTasks}: one note per suite task left out because its dataset file is not there (only for
 * suites with {@code skip-missing-data = true}), naming the official source.
 */
public record ResolvedRun(RunSettings settings, String suiteId, List<TaskSpec> tasks, List<ModelSpec> models,
                          List<String> skippedTasks) {
  public ResolvedRun(RunSettings settings, String suiteId, List<TaskSpec> tasks, List<ModelSpec> models) {
    this(settings, suiteId, tasks, models, List.of());
  }
}
