package dev.kansoku.config;

/**
 * A task's dataset file is not there. A suite run skips such a task with a note (the official source is
 * named); a run that asks for the task by name fails with the same message.
 */
public class MissingDatasetException extends ConfigError {
  private final String taskId;

  public MissingDatasetException(String where, String key, String problem, String taskId) {
    super(where, key, problem);
    this.taskId = taskId;
  }

  public String taskId() {
    return taskId;
  }
}
