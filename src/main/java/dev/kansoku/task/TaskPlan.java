package dev.kansoku.task;

import dev.kansoku.config.TaskSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a task contributes to a run, independent of models: its planned requests (in example order)
 * and the malformed rows met on the way. Plain Java, so it is tested without Spark.
 */
public record TaskPlan(TaskSpec task, int examples, List<PlannedRequest> requests, List<LoadedDataset.RowError> errors) {

  /**
   * Loads the task's files and plans its requests.
   *
   * @param limit evaluate only the first {@code limit} examples (0 = all), like the harnesses' {@code --limit}
   */
  public static TaskPlan build(TaskSpec task, int runLimit) throws IOException {
    // the run's --limit wins over the suite's per-task cap
    int limit = runLimit > 0 ? runLimit : task.limit();
    DatasetLoader loader = DatasetLoader.forFormat(task.dataset().format());
    LoadedDataset eval = loader.load(Path.of(task.dataset().evalFile()), task.dataset().languageFilter());
    List<LoadedDataset.RowError> errors = new ArrayList<>(eval.errors());
    List<Doc> fewshot = eval.docs();
    if (!task.dataset().fewshotFile().equals(task.dataset().evalFile())) {
      LoadedDataset pool = loader.load(Path.of(task.dataset().fewshotFile()), task.dataset().languageFilter());
      errors.addAll(pool.errors());
      fewshot = pool.docs();
    }
    List<Doc> docs = limit > 0 && limit < eval.docs().size() ? eval.docs().subList(0, limit) : eval.docs();
    // a row that the loader accepted but the prompt cannot use throws DatasetFormatException naming file:line
    List<PlannedRequest> requests = PromptStyle.named(task.prompt().style()).plan(task, docs, fewshot);
    return new TaskPlan(task, docs.size(), requests, errors);
  }
}
