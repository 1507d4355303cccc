package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;

/** A row of {@code pca_loadings}: one task's loading on one component, with its bootstrap interval. */
public record LoadingRow(String variant, int component, String name, String taskId, double loading, Double ciLow, Double ciHigh)
    implements TableRow {
  public static final String TABLE = "pca_loadings";

  @Override
  public String table() {
    return TABLE;
  }
}
