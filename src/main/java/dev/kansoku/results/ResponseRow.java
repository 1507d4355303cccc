package dev.kansoku.results;

import dev.kansoku.config.RequestKind;
import java.io.Serializable;
import java.sql.Timestamp;
import org.apache.spark.sql.Row;

/**
 * A row of {@code responses}: what one model computed for one request. A failed request has {@code error} set
 * and counts as missing, so the next run computes it again.
 */
public record ResponseRow(String requestId, String exampleId, int choiceIndex, RequestKind requestKind, Double loglikelihood,
    Boolean isGreedy, int contextTokens, int continuationTokens, Boolean truncated, String generatedText, String finishReason,
    String error, int batchSize, double elapsedMs, String executorId, Timestamp createdAt, String modelId, String taskId)
    implements TableRow, Serializable {
  public static final String LOGLIKELIHOOD = "loglikelihood";
  public static final String IS_GREEDY = "is_greedy";
  public static final String CONTEXT_TOKENS = "context_tokens";
  public static final String CONTINUATION_TOKENS = "continuation_tokens";
  public static final String GENERATED_TEXT = "generated_text";
  public static final String ERROR = "error";

  /** The response to {@code request} that failed with {@code message}: no tokens, batch size 1. */
  public static ResponseRow failed(RequestRow request, String message, String executorId, Timestamp at) {
    return new ResponseRow(request.requestId(), request.exampleId(), request.choiceIndex(), request.requestKind(), null, null, 0, 0, null,
        null, null, message, 1, 0.0, executorId, at, request.modelId(), request.taskId());
  }

  public static ResponseRow from(Row r) {
    return TableRow.read(r, ResponseRow.class);
  }

  @Override
  public String table() {
    return TableSchemas.RESPONSES;
  }
}
