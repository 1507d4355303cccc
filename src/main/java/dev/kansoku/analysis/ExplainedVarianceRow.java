package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;

/** A row of {@code pca_explained_variance}: one component's share of the variance, with its bootstrap interval. */
public record ExplainedVarianceRow(String variant, int component, String name, double explainedVarianceRatio, double cumulativeRatio,
                                   Double ciLow, Double ciHigh) implements TableRow {
  public static final String TABLE = "pca_explained_variance";

  @Override
  public String table() {
    return TABLE;
  }
}
