package dev.kansoku.task;

import dev.kansoku.config.TaskSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a task contributes to a run, independent of models: its planned requests (in example order)
 * and the malformed rows met on the way. Plain Java, so it is tested without Spark.
 */
public record TaskPlan(TaskSpec task, int examples, List<PlannedRequest> requests, List<LoadedDataset.RowError> errors,
                       long rowsRead) {

  /**
   * Loads the task's files and plans its requests.
   *
   * @param limit evaluate only the first {@code limit} examples (0 = all), like the harnesses' {@code --limit}
   */
  public static TaskPlan build(TaskSpec task, int runLimit) throws IOException {
    // the run's --limit wins over the suite's per-task cap
    int limit = runLimit > 0 ? runLimit : task.limit();
    DatasetLoader loader = DatasetLoader.forFormat(task.dataset().format());
    TaskSpec.Dataset d = task.dataset();
    LoadedDataset eval = loader.load(Path.of(d.evalFile()), new DatasetLoader.Selection(d.languageFilter(), d.evalSplit(), d.referenceFile()));
    List<LoadedDataset.RowError> errors = new ArrayList<>(eval.errors());
    List<Doc> fewshot = eval.docs();
    long rowsRead = eval.docs().size();
    boolean sameSplit = Objects.equals(d.evalSplit(), d.fewshotSplit());
    if (!d.fewshotFile().equals(d.evalFile()) || !sameSplit) {
      // the few-shot file may have a format of its own (MGSM's exemplars.py beside its TSV)
      DatasetLoader poolLoader = d.fewshotFormat() == null ? loader : DatasetLoader.forFormat(d.fewshotFormat());
      LoadedDataset pool = poolLoader.load(Path.of(d.fewshotFile()), new DatasetLoader.Selection(d.languageFilter(), d.fewshotSplit(), d.referenceFile()));
      errors.addAll(pool.errors());
      fewshot = pool.docs();
      rowsRead += pool.docs().size();
    }
    // a row that the loader accepted but the prompt cannot use throws DatasetFormatException naming file:line
    List<PlannedRequest> requests = PromptStyle.named(task.prompt().style()).planAll(task, eval.docs(), fewshot, limit);
    int examples = (int) requests.stream().map(PlannedRequest::exampleId).distinct().count();
    return new TaskPlan(task, examples, requests, errors, rowsRead);
  }

  /**
   * Fails (before anything is written) when the malformed rows exceed {@code maxShare} of all rows read for
   * the task, evaluation and few-shot files together; the message names the task, the counts and the first bad row.
   */
  public void checkBadRowShare(double maxShare) {
    if (errors.isEmpty()) {
      return;
    }
    long bad = errors.size();
    long total = bad + rowsRead;
    double share = (double) bad / total;
    if (share > maxShare) {
      LoadedDataset.RowError first = errors.get(0);
      throw new DatasetFormatException(first.file() + ":" + first.line(), task.id(),
          String.format(java.util.Locale.ROOT, "%d of %d rows malformed (%.1f%% > kansoku.max-bad-row-share %.1f%%); first: %s",
              bad, total, 100 * share, 100 * maxShare, first.problem()));
    }
  }
}
