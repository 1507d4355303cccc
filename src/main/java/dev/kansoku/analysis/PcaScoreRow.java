package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;
import org.apache.spark.sql.Row;

/** A row of {@code pca_scores}: one model's score on one component, and the model's origin for colouring. */
public record PcaScoreRow(String variant, int component, String name, String modelId, double score, String origin) implements TableRow {
  public static final String TABLE = "pca_scores";
  public static final String SCORE = "score";
  public static final String ORIGIN = "origin";

  public static PcaScoreRow from(Row r) {
    return new PcaScoreRow(r.getAs(ExplainedVarianceRow.VARIANT), r.<Integer>getAs(ExplainedVarianceRow.COMPONENT),
        r.getAs(ExplainedVarianceRow.NAME), r.getAs(MODEL_ID), r.<Double>getAs(SCORE), r.getAs(ORIGIN));
  }

  @Override
  public String table() {
    return TABLE;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case ExplainedVarianceRow.VARIANT -> variant;
      case ExplainedVarianceRow.COMPONENT -> component;
      case ExplainedVarianceRow.NAME -> name;
      case MODEL_ID -> modelId;
      case SCORE -> score;
      case ORIGIN -> origin;
      default -> throw TableRow.unknown(TABLE, column);
    };
  }
}
