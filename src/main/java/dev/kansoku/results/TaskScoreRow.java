package dev.kansoku.results;

import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;

/**
 * A row of {@code task_scores}: one metric of one (model, task), either evaluated here (in a score set, with
 * what it was computed from) or a published figure (no score set of its own).
 */
public record TaskScoreRow(String modelId, String taskId, String taskVersion, String metric, double value, Double stderr, Long n,
    String source, Timestamp computedAt, String scoreSet, String modelRevision, String datasetFingerprint, Long examplesPlanned,
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
    return TableRow.read(r, TaskScoreRow.class);
  }

  @Override
  public String table() {
    return TableSchemas.TASK_SCORES;
  }
}
