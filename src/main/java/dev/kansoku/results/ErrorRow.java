package dev.kansoku.results;

import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;

/**
 * A row of {@code errors}: something a run could not use or compute (a bad dataset row, a failed request),
 * named by stage, file and line or by model, task and request, so nothing is dropped silently.
 */
public record ErrorRow(
    String runId,
    String stage,
    String file,
    Long line,
    String modelId,
    String taskId,
    String requestId,
    String message,
    Timestamp createdAt) implements TableRow, Serializable {
  public static final String RUN_ID = "run_id";
  public static final String STAGE = "stage";
  public static final String FILE = "file";
  public static final String LINE = "line";
  public static final String MESSAGE = "message";

  public static ErrorRow from(Row r) {
    return new ErrorRow(r.getAs(RUN_ID), r.getAs(STAGE), r.getAs(FILE), r.getAs(LINE), r.getAs(MODEL_ID), r.getAs(TASK_ID),
        r.getAs(REQUEST_ID), r.getAs(MESSAGE), r.getAs(CREATED_AT));
  }

  @Override
  public String table() {
    return TableSchemas.ERRORS;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case RUN_ID -> runId;
      case STAGE -> stage;
      case FILE -> file;
      case LINE -> line;
      case MODEL_ID -> modelId;
      case TASK_ID -> taskId;
      case REQUEST_ID -> requestId;
      case MESSAGE -> message;
      case CREATED_AT -> createdAt;
      default -> throw TableRow.unknown(table(), column);
    };
  }
}
