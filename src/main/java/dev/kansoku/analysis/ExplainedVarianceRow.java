package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;
import org.apache.spark.sql.Row;

/** A row of {@code pca_explained_variance}: one component's share of the variance, with its bootstrap interval. */
public record ExplainedVarianceRow(String variant, int component, String name, double explainedVarianceRatio, double cumulativeRatio,
                                   Double ciLow, Double ciHigh) implements TableRow {
  public static final String TABLE = "pca_explained_variance";
  public static final String VARIANT = "variant";
  public static final String COMPONENT = "component";
  public static final String NAME = "name";
  public static final String EXPLAINED_VARIANCE_RATIO = "explained_variance_ratio";
  public static final String CUMULATIVE_RATIO = "cumulative_ratio";
  public static final String CI_LOW = "ci_low";
  public static final String CI_HIGH = "ci_high";

  public static ExplainedVarianceRow from(Row r) {
    return new ExplainedVarianceRow(r.getAs(VARIANT), r.<Integer>getAs(COMPONENT), r.getAs(NAME), r.<Double>getAs(EXPLAINED_VARIANCE_RATIO),
        r.<Double>getAs(CUMULATIVE_RATIO), r.getAs(CI_LOW), r.getAs(CI_HIGH));
  }

  @Override
  public String table() {
    return TABLE;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case VARIANT -> variant;
      case COMPONENT -> component;
      case NAME -> name;
      case EXPLAINED_VARIANCE_RATIO -> explainedVarianceRatio;
      case CUMULATIVE_RATIO -> cumulativeRatio;
      case CI_LOW -> ciLow;
      case CI_HIGH -> ciHigh;
      default -> throw TableRow.unknown(TABLE, column);
    };
  }
}
