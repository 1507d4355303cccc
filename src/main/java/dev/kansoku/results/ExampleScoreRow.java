package dev.kansoku.results;

import java.io.Serializable;
import org.apache.spark.sql.Row;

/**
 * A row of {@code example_scores}: one metric's value for one example (one sample of it, for pass@k), in the
 * score set the run computed it for.
 */
public record ExampleScoreRow(
    String taskVersion,
    String exampleId,
    int sampleIndex,
    String metric,
    double value,
    String prediction,
    String gold,
    String detail,
    String subset,
    String modelId,
    String taskId,
    String scoreSet) implements TableRow, Serializable {
  public static final String SAMPLE_INDEX = "sample_index";
  public static final String PREDICTION = "prediction";
  public static final String DETAIL = "detail";

  public static ExampleScoreRow from(Row r) {
    return new ExampleScoreRow(r.getAs(TASK_VERSION), r.getAs(EXAMPLE_ID), r.<Integer>getAs(SAMPLE_INDEX), r.getAs(METRIC),
        r.<Double>getAs(VALUE), r.getAs(PREDICTION), r.getAs(GOLD), r.getAs(DETAIL), r.getAs(SUBSET), r.getAs(MODEL_ID),
        r.getAs(TASK_ID), r.getAs(SCORE_SET));
  }

  @Override
  public String table() {
    return TableSchemas.EXAMPLE_SCORES;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case TASK_VERSION -> taskVersion;
      case EXAMPLE_ID -> exampleId;
      case SAMPLE_INDEX -> sampleIndex;
      case METRIC -> metric;
      case VALUE -> value;
      case PREDICTION -> prediction;
      case GOLD -> gold;
      case DETAIL -> detail;
      case SUBSET -> subset;
      case MODEL_ID -> modelId;
      case TASK_ID -> taskId;
      case SCORE_SET -> scoreSet;
      default -> throw TableRow.unknown(table(), column);
    };
  }
}
