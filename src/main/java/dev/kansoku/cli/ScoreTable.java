package dev.kansoku.cli;

import dev.kansoku.pipeline.EvaluationSummary;
import dev.kansoku.results.TableSchemas;
import java.io.PrintWriter;

/** The console report of an evaluate run. */
final class ScoreTable {
  private ScoreTable() {}

  static void print(EvaluationSummary s, PrintWriter out) {
    out.printf("requests: planned %d, reused %d, computed %d, failed %d; model forward passes: %d%n",
        s.planned(), s.reused(), s.computed(), s.failed(), s.forwardPasses());
    if (s.truncated() > 0) {
      out.printf("contexts cut from the left to fit inference.max-length: %d (responses.truncated; as lm-evaluation-harness cuts them)%n",
          s.truncated());
    }
    if (!s.sandboxLayers().isEmpty()) {
      out.println("code execution sandbox, isolation layers in force: " + s.sandboxLayers());
    }
    if (s.computedByModel().size() > 1) {
      s.computedByModel().forEach((m, n) -> out.printf("model %s: %s%n", m, n == 0 ? "nothing new (0 requests computed)" : n + " requests computed"));
    }
    out.printf("%-24s %-18s %8s %8s %8s%n", "model", "task", "planned", "reused", "computed");
    for (EvaluationSummary.TaskWork w : s.work()) {
      out.printf("%-24s %-18s %8d %8d %8d%n", w.modelId(), w.taskId(), w.planned(), w.reused(), w.computed());
    }
    for (String skipped : s.skippedTasks()) {
      out.println("task " + skipped);
    }
    if (s.datasetErrors() > 0) {
      out.printf("dataset rows skipped: %d (see the errors table)%n", s.datasetErrors());
    }
    out.println();
    out.printf("%-24s %-18s %-12s %8s %8s %6s%n", "model", "task", "metric", "value", "stderr", "n");
    for (EvaluationSummary.TaskScore t : s.scores()) {
      out.printf("%-24s %-18s %-12s %8.4f %8s %6d%n", t.modelId(), t.taskId(), t.metric(), t.value(),
          t.stderr() == null ? "-" : String.format("%.4f", t.stderr()), t.n());
    }
    out.println();
    out.println("tables (Parquet):");
    for (String table : TableSchemas.ALL) {
      out.println("  " + dev.kansoku.results.StoredFiles.child(s.resultsDir(), table));
    }
  }
}
