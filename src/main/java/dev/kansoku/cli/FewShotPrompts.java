package dev.kansoku.cli;

import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.task.TaskPlan;

/** Evaluation prompts of realistic length for the engine benchmarks, from the suite's own task files. */
final class FewShotPrompts {
  private FewShotPrompts() {}

  /** The first GSM8K request of the suite's task file (4-shot, lm-eval format) on the bundled sample; null if unavailable. */
  static String gsm8k() {
    try {
      ConfigLoader loader = new ConfigLoader(java.nio.file.Path.of("conf"));
      TaskSpec task = loader.task(java.nio.file.Path.of("conf/tasks/gsm8k.conf"));
      return TaskPlan.build(task, 1).requests().get(0).context();
    } catch (Exception e) {
      System.err.println("bench inference: no GSM8K prompt (" + e.getMessage() + "); the few-shot generation figure is skipped");
      return null;
    }
  }
}
