package dev.kansoku.results;

import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;

/** A row of {@code subset_scores}: one metric of one (model, task) over one subject (MMLU, JMMLU, BBH). */
public record SubsetScoreRow(
    String modelId,
    String taskId,
    String taskVersion,
    String subset,
    String metric,
    double value,
    Double stderr,
    Long n,
    Timestamp computedAt,
    String scoreSet,
    String modelRevision,
    String datasetFingerprint,
    Long examplesPlanned,
    Boolean complete) implements TableRow, Serializable {

  public static SubsetScoreRow from(Row r) {
    return new SubsetScoreRow(r.getAs(MODEL_ID), r.getAs(TASK_ID), r.getAs(TASK_VERSION), r.getAs(SUBSET), r.getAs(METRIC),
        r.<Double>getAs(VALUE), r.getAs(STDERR), r.getAs(N), r.getAs(COMPUTED_AT), r.getAs(SCORE_SET), r.getAs(MODEL_REVISION),
        r.getAs(DATASET_FINGERPRINT), r.getAs(EXAMPLES_PLANNED), r.getAs(COMPLETE));
  }

  @Override
  public String table() {
    return TableSchemas.SUBSET_SCORES;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case MODEL_ID -> modelId;
      case TASK_ID -> taskId;
      case TASK_VERSION -> taskVersion;
      case SUBSET -> subset;
      case METRIC -> metric;
      case VALUE -> value;
      case STDERR -> stderr;
      case N -> n;
      case COMPUTED_AT -> computedAt;
      case SCORE_SET -> scoreSet;
      case MODEL_REVISION -> modelRevision;
      case DATASET_FINGERPRINT -> datasetFingerprint;
      case EXAMPLES_PLANNED -> examplesPlanned;
      case COMPLETE -> complete;
      default -> throw TableRow.unknown(table(), column);
    };
  }
}
