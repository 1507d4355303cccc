package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;

/** A row of {@code pca_scores}: one model's score on one component, and the model's origin for colouring. */
public record PcaScoreRow(String variant, int component, String name, String modelId, double score, String origin) implements TableRow {
  public static final String TABLE = "pca_scores";

  @Override
  public String table() {
    return TABLE;
  }
}
