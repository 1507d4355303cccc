package dev.kansoku.results;

import java.util.Comparator;
import java.util.Objects;

/**
 * One model evaluated on one task: the unit that requests are counted by, that score sets belong to and that
 * scores are aggregated per. A record rather than a joined string, so a key cannot be split the wrong way and
 * a map's key type says what it holds.
 */
public record ModelTask(String modelId, String taskId) implements Comparable<ModelTask>, java.io.Serializable {
  private static final Comparator<ModelTask> ORDER =
      Comparator.comparing(ModelTask::modelId).thenComparing(ModelTask::taskId);

  public ModelTask {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(taskId, "taskId");
  }

  @Override
  public int compareTo(ModelTask other) {
    return ORDER.compare(this, other);
  }

  /** "model/task", as run logs and the console print it. */
  @Override
  public String toString() {
    return modelId + "/" + taskId;
  }
}
