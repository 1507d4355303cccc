package dev.kansoku.analysis;

import dev.kansoku.results.TableRow;
import org.apache.spark.sql.Row;

/** A row of {@code task_correlations}: the correlation of two tasks' scores over the models. */
public record TaskCorrelationRow(String taskA, String taskB, double pearson, double spearman, int n) implements TableRow {
  public static final String TABLE = "task_correlations";
  public static final String TASK_A = "task_a";
  public static final String TASK_B = "task_b";
  public static final String PEARSON = "pearson";
  public static final String SPEARMAN = "spearman";

  public static TaskCorrelationRow from(Row r) {
    return new TaskCorrelationRow(r.getAs(TASK_A), r.getAs(TASK_B), r.<Double>getAs(PEARSON), r.<Double>getAs(SPEARMAN),
        r.<Integer>getAs(N));
  }

  @Override
  public String table() {
    return TABLE;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case TASK_A -> taskA;
      case TASK_B -> taskB;
      case PEARSON -> pearson;
      case SPEARMAN -> spearman;
      case N -> n;
      default -> throw TableRow.unknown(TABLE, column);
    };
  }
}
