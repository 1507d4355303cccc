package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;

/** A row of {@code task_correlations}: the correlation of two tasks' scores over the models. */
public record TaskCorrelationRow(String taskA, String taskB, double pearson, double spearman, int n) implements TableRow {
  public static final String TABLE = "task_correlations";

  @Override
  public String table() {
    return TABLE;
  }
}
