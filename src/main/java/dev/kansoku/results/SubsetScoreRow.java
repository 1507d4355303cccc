package dev.kansoku.results;

import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;

/** A row of {@code subset_scores}: one metric of one (model, task) over one subject (MMLU, JMMLU, BBH). */
public record SubsetScoreRow(String modelId, String taskId, String taskVersion, String subset, String metric, double value, Double
    stderr, Long n, Timestamp computedAt, String scoreSet, String modelRevision, String datasetFingerprint, Long examplesPlanned,
    Boolean complete) implements TableRow, Serializable {

  public static SubsetScoreRow from(Row r) {
    return TableRow.read(r, SubsetScoreRow.class);
  }

  @Override
  public String table() {
    return TableSchemas.SUBSET_SCORES;
  }
}
