package dev.kansoku.config;

import java.util.List;

/** Everything a job needs, validated: run settings, the suite's tasks and the selected models. */
public record ResolvedRun(RunSettings settings, String suiteId, List<TaskSpec> tasks, List<ModelSpec> models) {}
