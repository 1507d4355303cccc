package dev.kansoku.cli;

/** Evaluation prompts of realistic length for the engine benchmarks, from the suite's own task files. */
final class FewShotPrompts {
  private FewShotPrompts() {}

  /** The first GSM8K request of the suite's task file (4-shot, lm-eval format) on the bundled sample; null if unavailable. */
  static String gsm8k() {
    try {
      dev.kansoku.config.ConfigLoader loader = new dev.kansoku.config.ConfigLoader(java.nio.file.Path.of("conf"));
      dev.kansoku.config.TaskSpec task = loader.task(java.nio.file.Path.of("conf/tasks/gsm8k.conf"));
      return dev.kansoku.task.TaskPlan.build(task, 1).requests().get(0).context();
    } catch (Exception e) {
      System.err.println("bench inference: no GSM8K prompt (" + e.getMessage() + "); the few-shot generation figure is skipped");
      return null;
    }
  }
}
