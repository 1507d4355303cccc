package dev.kansoku.task;

import dev.kansoku.config.TaskSpec;
import java.util.List;

/** Turns a task's examples into requests, exactly as one reference framework builds its prompts. */
public interface PromptStyle {
  /**
   * @param evalDocs examples to evaluate, in file order (already cut to the run's limit)
   * @param fewshotDocs the pool few-shot examples are drawn from
   */
  List<PlannedRequest> plan(TaskSpec task, List<Doc> evalDocs, List<Doc> fewshotDocs);

  static PromptStyle named(String style) {
    return switch (style) {
      case LmEvalPartialEvaluation.NAME -> new LmEvalPartialEvaluation();
      case LlmJpEvalPrompt.NAME -> new LlmJpEvalPrompt();
      case BigcodeHumanEvalPrompt.NAME -> new BigcodeHumanEvalPrompt();
      default -> throw new IllegalArgumentException("unknown prompt style '" + style + "' (known: "
          + LmEvalPartialEvaluation.NAME + ", " + LlmJpEvalPrompt.NAME + ", " + BigcodeHumanEvalPrompt.NAME + ")");
    };
  }
}
