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

  /**
   * Chooses which examples are evaluated and plans them. The default keeps the first {@code limit} in file
   * order; a framework that shuffles its documents first (the JP harness) overrides this.
   *
   * @param allEvalDocs every example of the evaluation file, in file order
   * @param limit 0 = all
   */
  default List<PlannedRequest> planAll(TaskSpec task, List<Doc> allEvalDocs, List<Doc> fewshotDocs, int limit) {
    return plan(task, firstN(allEvalDocs, limit), fewshotDocs);
  }

  /**
   * Why this style cannot build {@code task}'s prompts in chat form ({@code task.chat-template}), or null when it
   * can. Only the frameworks that define a chat form have one: lm-evaluation-harness.
   */
  default String chatRefusal(TaskSpec task) {
    return "the " + task.prompt().style() + " prompt style has no chat form (lm-evaluation-harness' lm-eval style has)";
  }

  static <T> List<T> firstN(List<T> docs, int limit) {
    return limit > 0 && limit < docs.size() ? docs.subList(0, limit) : docs;
  }

  static PromptStyle named(String style) {
    return PromptStyles.REGISTRY.get(style);
  }
}
