package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;
import org.apache.spark.sql.Row;

/** A row of {@code pca_loadings}: one task's loading on one component, with its bootstrap interval. */
public record LoadingRow(String variant, int component, String name, String taskId, double loading, Double ciLow, Double ciHigh)
    implements TableRow {
  public static final String TABLE = "pca_loadings";
  public static final String LOADING = "loading";

  public static LoadingRow from(Row r) {
    return new LoadingRow(r.getAs(ExplainedVarianceRow.VARIANT), r.<Integer>getAs(ExplainedVarianceRow.COMPONENT),
        r.getAs(ExplainedVarianceRow.NAME), r.getAs(TASK_ID), r.<Double>getAs(LOADING), r.getAs(ExplainedVarianceRow.CI_LOW),
        r.getAs(ExplainedVarianceRow.CI_HIGH));
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
      case TASK_ID -> taskId;
      case LOADING -> loading;
      case ExplainedVarianceRow.CI_LOW -> ciLow;
      case ExplainedVarianceRow.CI_HIGH -> ciHigh;
      default -> throw TableRow.unknown(TABLE, column);
    };
  }
}
