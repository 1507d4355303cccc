package dev.kansoku.results;

import dev.kansoku.config.RequestKind;
import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;

/**
 * A row of {@code responses}: what one model computed for one request. A failed request has {@code error} set
 * and counts as missing, so the next run computes it again.
 */
public record ResponseRow(
    String requestId,
    String exampleId,
    int choiceIndex,
    RequestKind kind,
    Double loglikelihood,
    Boolean isGreedy,
    int contextTokens,
    int continuationTokens,
    Boolean truncated,
    String generatedText,
    String finishReason,
    String error,
    int batchSize,
    double elapsedMs,
    String executorId,
    Timestamp createdAt,
    String modelId,
    String taskId) implements TableRow, Serializable {
  public static final String LOGLIKELIHOOD = "loglikelihood";
  public static final String IS_GREEDY = "is_greedy";
  public static final String CONTEXT_TOKENS = "context_tokens";
  public static final String CONTINUATION_TOKENS = "continuation_tokens";
  public static final String TRUNCATED = "truncated";
  public static final String GENERATED_TEXT = "generated_text";
  public static final String FINISH_REASON = "finish_reason";
  public static final String ERROR = "error";
  public static final String BATCH_SIZE = "batch_size";
  public static final String ELAPSED_MS = "elapsed_ms";
  public static final String EXECUTOR_ID = "executor_id";

  /** The response to {@code request} that failed with {@code message}: no tokens, batch size 1. */
  public static ResponseRow failed(RequestRow request, String message, String executorId, Timestamp at) {
    return new ResponseRow(request.requestId(), request.exampleId(), request.choiceIndex(), request.kind(), null, null, 0, 0, null,
        null, null, message, 1, 0.0, executorId, at, request.modelId(), request.taskId());
  }

  public static ResponseRow from(Row r) {
    return new ResponseRow(r.getAs(REQUEST_ID), r.getAs(EXAMPLE_ID), r.<Integer>getAs(CHOICE_INDEX),
        RequestKind.parse(r.getAs(REQUEST_KIND)), r.getAs(LOGLIKELIHOOD), r.getAs(IS_GREEDY), r.<Integer>getAs(CONTEXT_TOKENS),
        r.<Integer>getAs(CONTINUATION_TOKENS), r.getAs(TRUNCATED), r.getAs(GENERATED_TEXT), r.getAs(FINISH_REASON),
        r.getAs(ERROR), r.<Integer>getAs(BATCH_SIZE), r.<Double>getAs(ELAPSED_MS), r.getAs(EXECUTOR_ID), r.getAs(CREATED_AT),
        r.getAs(MODEL_ID), r.getAs(TASK_ID));
  }

  @Override
  public String table() {
    return TableSchemas.RESPONSES;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case REQUEST_ID -> requestId;
      case EXAMPLE_ID -> exampleId;
      case CHOICE_INDEX -> choiceIndex;
      case REQUEST_KIND -> kind.label();
      case LOGLIKELIHOOD -> loglikelihood;
      case IS_GREEDY -> isGreedy;
      case CONTEXT_TOKENS -> contextTokens;
      case CONTINUATION_TOKENS -> continuationTokens;
      case TRUNCATED -> truncated;
      case GENERATED_TEXT -> generatedText;
      case FINISH_REASON -> finishReason;
      case ERROR -> error;
      case BATCH_SIZE -> batchSize;
      case ELAPSED_MS -> elapsedMs;
      case EXECUTOR_ID -> executorId;
      case CREATED_AT -> createdAt;
      case MODEL_ID -> modelId;
      case TASK_ID -> taskId;
      default -> throw TableRow.unknown(table(), column);
    };
  }
}
