package dev.kansoku.results;

import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;

/**
 * A row of {@code errors}: something a run could not use or compute (a bad dataset row, a failed request),
 * named by stage, file and line or by model, task and request, so nothing is dropped silently.
 */
public record ErrorRow(String runId, String stage, String file, Long line, String modelId, String taskId, String requestId, String
    message, Timestamp createdAt) implements TableRow, Serializable {

  public static ErrorRow from(Row r) {
    return TableRow.read(r, ErrorRow.class);
  }

  @Override
  public String table() {
    return TableSchemas.ERRORS;
  }
}
