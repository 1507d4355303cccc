package dev.kansoku.results;

import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;

/**
 * A row of {@code task_scores}: one metric of one (model, task), either evaluated here (in a score set, with
 * what it was computed from) or a published figure (no score set of its own).
 */
public record TaskScoreRow(
    String modelId,
    String taskId,
    String taskVersion,
    String metric,
    double value,
    Double stderr,
    Long n,
    String source,
    Timestamp computedAt,
    String scoreSet,
    String modelRevision,
    String datasetFingerprint,
    Long examplesPlanned,
    Boolean complete) implements TableRow, Serializable {
  public static final String SOURCE = "source";
  /** {@link #SOURCE} of scores computed by the evaluate job. */
  public static final String EVALUATED = "evaluated";
  /** {@link #SOURCE} of scores read from a published table. */
  public static final String PUBLISHED = "published";

  public ModelTask pair() {
    return new ModelTask(modelId, taskId);
  }

  public static TaskScoreRow from(Row r) {
    return new TaskScoreRow(r.getAs(MODEL_ID), r.getAs(TASK_ID), r.getAs(TASK_VERSION), r.getAs(METRIC), r.<Double>getAs(VALUE),
        r.getAs(STDERR), r.getAs(N), r.getAs(SOURCE), r.getAs(COMPUTED_AT), r.getAs(SCORE_SET), r.getAs(MODEL_REVISION),
        r.getAs(DATASET_FINGERPRINT), r.getAs(EXAMPLES_PLANNED), r.getAs(COMPLETE));
  }

  @Override
  public String table() {
    return TableSchemas.TASK_SCORES;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case MODEL_ID -> modelId;
      case TASK_ID -> taskId;
      case TASK_VERSION -> taskVersion;
      case METRIC -> metric;
      case VALUE -> value;
      case STDERR -> stderr;
      case N -> n;
      case SOURCE -> source;
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
