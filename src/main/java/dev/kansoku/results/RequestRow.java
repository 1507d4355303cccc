package dev.kansoku.results;

import dev.kansoku.config.RequestKind;
import dev.kansoku.task.ChatMessages;
import dev.kansoku.task.PlannedRequest;
import dev.kansoku.task.RequestId;
import dev.kansoku.text.chat.ChatTemplate;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * A row of {@code requests}: one planned request for one model. Planned once per task without the model
 * ({@link #planned}: request id, model id and revision null), then crossed with each model ({@link #forModel}),
 * which computes the request id.
 */
public record RequestRow(String requestId, String exampleId, int choiceIndex, RequestKind requestKind, String context, String
    continuation, int maxNewTokens, List<String> stopSequences, boolean addSpecialTokens, String decoding, double temperature,
    double topP, int topK, long seed, String gold, String subset, String chatMessages, String promptSha256, String modelRevision, String taskVersion,
    String modelId, String taskId) implements TableRow, Serializable {
  public static final String CONTEXT = "context";
  public static final String CONTINUATION = "continuation";
  public static final String MAX_NEW_TOKENS = "max_new_tokens";
  public static final String ADD_SPECIAL_TOKENS = "add_special_tokens";
  /** The columns a row gets when it is crossed with a model. */
  public static final List<String> MODEL_COLUMNS = List.of(REQUEST_ID, MODEL_REVISION, MODEL_ID);

  /** A task's request before a model is chosen. */
  public static RequestRow planned(PlannedRequest r) {
    PlannedRequest.Decoding d = r.decoding();
    return new RequestRow(null, r.exampleId(), r.choiceIndex(), r.kind(), r.context(), r.continuation(), r.maxNewTokens(),
        r.stop(), r.addSpecialTokens(), d.label(), d.temperature(), d.topP(), d.topK(), d.seed(), r.gold(), r.subset(),
        r.chatMessages(), RequestId.sha256(r.context()), null, r.taskVersion(), null, r.taskId());
  }

  /** This request for one model, with its id: SHA-256 of everything that decides the response ({@link RequestId}). */
  public RequestRow forModel(String model, String revision) {
    return forModel(model, revision, null);
  }

  /**
   * This request for one model whose chat template is {@code chat} (null: the model has none). A request in chat
   * form gets that template's rendering as its context (and the harness' BOS rule), so its id and response follow
   * the template; a plain request is unchanged.
   */
  public RequestRow forModel(String model, String revision, ChatTemplate.Source chat) {
    String ctx = context;
    boolean special = addSpecialTokens;
    if (chatMessages != null) {
      if (chat == null) {
        throw new IllegalStateException("model " + model + " has no chat template for task " + taskId + " (checked before planning)");
      }
      ChatMessages.Rendered r = ChatMessages.render(chatMessages, ChatTemplate.of(chat));
      ctx = r.context();
      special = addSpecialTokens && !r.startsWithBos();
    }
    String id = RequestId.of(model, revision, taskId, taskVersion, exampleId, choiceIndex, requestKind, ctx, continuation,
        maxNewTokens, stopSequences, special, temperature, topP, topK, seed);
    return new RequestRow(id, exampleId, choiceIndex, requestKind, ctx, continuation, maxNewTokens, stopSequences,
        special, decoding, temperature, topP, topK, seed, gold, subset, chatMessages, promptSha256, revision, taskVersion, model,
        taskId);
  }

  /** A requests row, or a projection without the model columns (those are then null). */
  public static RequestRow from(Row r) {
    return TableRow.read(r, RequestRow.class);
  }

  @Override
  public String table() {
    return TableSchemas.REQUESTS;
  }
}
