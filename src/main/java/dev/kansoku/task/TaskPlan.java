package dev.kansoku.task;

import dev.kansoku.config.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a task contributes to a run, independent of models: its planned requests (in example order)
 * and the malformed rows met on the way (only with {@code task.dataset.skip-bad-rows}; otherwise the first one
 * fails the plan). Plain Java, so it is tested without Spark.
 */
public record TaskPlan(TaskSpec task, int examples, List<PlannedRequest> requests, List<LoadedDataset.RowError> errors,
                       long rowsRead, Rows rows, Fingerprint fingerprint) {

  /**
   * What the task's scores were computed from: the dataset files actually read (SHA-256 of their bytes, 16 hex
   * digits) and the set of examples planned (their sorted ids). Part of a score set's identity, so scores over
   * changed data or another example set are written beside earlier ones, never over them.
   */
  public record Fingerprint(String dataset, String examples) {}

  /** Good and malformed rows of the split evaluated and of the few-shot split (the same file counts once). */
  public record Rows(long eval, int evalBad, long fewshot, int fewshotBad) {}

  /**
   * Loads the task's files and plans its requests.
   *
   * @param limit evaluate only the first {@code limit} examples (0 = all), like the harnesses' {@code --limit}
   */
  public static TaskPlan build(TaskSpec task, int runLimit) throws IOException {
    PromptStyle style = PromptStyle.named(task.prompt().style());
    String refusal = task.chat().template() ? style.chatRefusal(task) : null;
    if (refusal != null) {
      throw new dev.kansoku.config.ConfigError(task.sourceFile(), "task.chat-template", refusal);
    }
    // bytes that are not in the dataset's encoding (a Shift_JIS copy of a UTF-8 file) are named by file, line and
    // byte before any loader could read them as garbled text
    TaskSpec.Dataset d = task.dataset();
    java.nio.charset.Charset charset = java.nio.charset.Charset.forName(d.encoding());
    for (String f : new String[] {d.evalFile(), d.fewshotFile(), d.referenceFile()}) {
      if (f != null && Files.exists(Path.of(f))) {
        java.util.Optional<Utf8Check.Invalid> bad = Utf8Check.firstInvalid(Path.of(f), charset);
        if (bad.isPresent()) {
          throw new DatasetFormatException(bad.get().file() + ":" + bad.get().line(), task.id(), bad.get().problem());
        }
      }
    }
    return plan(task, runLimit, charset);
  }

  private static TaskPlan plan(TaskSpec task, int runLimit, java.nio.charset.Charset charset) throws IOException {
    // the run's --limit wins over the suite's per-task cap
    int limit = runLimit > 0 ? runLimit : task.limit();
    DatasetLoader loader = DatasetLoader.forFormat(task.dataset().format());
    TaskSpec.Dataset d = task.dataset();
    LoadedDataset eval = loader.load(Path.of(d.evalFile()), new DatasetLoader.Selection(d.languageFilter(), d.evalSplit(), d.referenceFile(), charset));
    List<LoadedDataset.RowError> errors = new ArrayList<>(eval.errors());
    List<Doc> fewshot = eval.docs();
    long rowsRead = eval.docs().size();
    int poolErrors = eval.errors().size();
    boolean sameSplit = Objects.equals(d.evalSplit(), d.fewshotSplit());
    if (!d.fewshotFile().equals(d.evalFile()) || !sameSplit) {
      // the few-shot file may have a format of its own (MGSM's exemplars.py beside its TSV)
      DatasetLoader poolLoader = d.fewshotFormat() == null ? loader : DatasetLoader.forFormat(d.fewshotFormat());
      LoadedDataset pool = poolLoader.load(Path.of(d.fewshotFile()), new DatasetLoader.Selection(d.languageFilter(), d.fewshotSplit(), d.referenceFile(),
          d.fewshotFormat() == null ? charset : java.nio.charset.StandardCharsets.UTF_8));
      errors.addAll(pool.errors());
      fewshot = pool.docs();
      rowsRead += pool.docs().size();
      poolErrors = pool.errors().size();
    }
    if (eval.docs().isEmpty() && eval.errors().isEmpty()) {
      throw new DatasetFormatException(d.evalFile(), task.id(), "no examples in the split to evaluate");
    }
    List<Doc> docs = new ArrayList<>(eval.docs());
    int badLabels = labelsInRange(task, docs, errors);
    // the same file read once for both splits: its label check and counts serve both
    int badShots = badLabels;
    if (fewshot == eval.docs()) {
      fewshot = docs;
    } else {
      fewshot = new ArrayList<>(fewshot);
      badShots = labelsInRange(task, fewshot, errors);
    }
    Rows rows = new Rows(docs.size(), eval.errors().size() + badLabels, fewshot.size(), poolErrors + badShots);
    uniqueIds(task, docs);
    // a row that the loader accepted but the prompt cannot use throws DatasetFormatException naming file:line
    List<PlannedRequest> requests = PromptStyle.named(task.prompt().style()).planAll(task, docs, fewshot, limit);
    List<String> exampleIds = requests.stream().map(PlannedRequest::exampleId).distinct().sorted().toList();
    Fingerprint fingerprint = new Fingerprint(DatasetFingerprint.of(d.evalFile(), d.fewshotFile(), d.referenceFile()),
        RequestId.sha256(String.join("\u0000", exampleIds)).substring(0, 16));
    return new TaskPlan(task, exampleIds.size(), requests, errors, rowsRead, rows, fingerprint);
  }

  /** An example id twice in the split evaluated would merge two questions into one score: both rows are named. */
  private static void uniqueIds(TaskSpec task, List<Doc> docs) {
    java.util.Map<String, Doc> seen = new java.util.HashMap<>();
    for (Doc doc : docs) {
      Doc before = seen.putIfAbsent(doc.id(), doc);
      if (before != null) {
        throw new DatasetFormatException(doc.source(), task.id(), "example id '" + doc.id() + "' again (first at "
            + before.source() + "); every example of the split evaluated needs its own id");
      }
    }
  }

  /** With {@code dataset.label-field}: a label outside {@code label-values} is a malformed row. */
  private static int labelsInRange(TaskSpec task, List<Doc> docs, List<LoadedDataset.RowError> errors) {
    TaskSpec.Dataset d = task.dataset();
    if (d.labelField() == null || d.labelValues().isEmpty()) {
      return 0;
    }
    int removed = 0;
    for (java.util.Iterator<Doc> it = docs.iterator(); it.hasNext(); ) {
      Doc doc = it.next();
      String label = doc.fields().get(d.labelField());
      if (label == null || !d.labelValues().contains(label)) {
        String[] where = splitSource(doc.source());
        errors.add(new LoadedDataset.RowError(where[0], Long.parseLong(where[1]),
            d.labelField() + " '" + label + "' is not one of " + d.labelValues()));
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  /** "file:line" (or a source without a line) as file and line. */
  private static String[] splitSource(String source) {
    int colon = source.lastIndexOf(':');
    if (colon > 0 && source.substring(colon + 1).chars().allMatch(Character::isDigit) && colon < source.length() - 1) {
      return new String[] {source.substring(0, colon), source.substring(colon + 1)};
    }
    return new String[] {source, "0"};
  }

  /**
   * Fails (before anything is written) on malformed rows. By default any malformed row of either split fails
   * the task, naming its file, line and problem and the count. With {@code task.dataset.skip-bad-rows} they are
   * skipped and counted, unless they exceed {@code maxShare} of the split evaluated or of the few-shot split
   * (each split on its own: a few-shot pool cannot hide a broken evaluation file).
   */
  public void checkBadRowShare(double maxShare) {
    if (errors.isEmpty()) {
      return;
    }
    LoadedDataset.RowError first = errors.get(0);
    if (!task.dataset().skipBadRows()) {
      throw new DatasetFormatException(first.file() + ":" + first.line(), task.id(), first.problem() + " (" + errors.size()
          + " malformed row" + (errors.size() == 1 ? "" : "s") + "; fix the file, or set task.dataset.skip-bad-rows = true to skip them)");
    }
    checkShare("evaluated", rows.evalBad(), rows.eval(), maxShare, first);
    checkShare("few-shot", rows.fewshotBad(), rows.fewshot(), maxShare, first);
  }

  private void checkShare(String split, int bad, long good, double maxShare, LoadedDataset.RowError first) {
    long total = bad + good;
    double share = total == 0 ? 0 : (double) bad / total;
    if (bad > 0 && (share > maxShare || good == 0)) {
      throw new DatasetFormatException(first.file() + ":" + first.line(), task.id(),
          String.format(java.util.Locale.ROOT, "%d of %d rows of the %s split malformed (%.1f%% > kansoku.max-bad-row-share %.1f%%); first: %s",
              bad, total, split, 100 * share, 100 * maxShare, first.problem()));
    }
  }
}
