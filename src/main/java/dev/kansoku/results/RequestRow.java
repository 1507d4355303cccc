package dev.kansoku.results;

import dev.kansoku.config.RequestKind;
import dev.kansoku.task.PlannedRequest;
import dev.kansoku.task.RequestId;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A row of {@code requests}: one planned request for one model. Planned once per task without the model
 * ({@link #planned}: request id, model id and revision null), then crossed with each model ({@link #forModel}),
 * which computes the request id.
 */
public record RequestRow(
    String requestId,
    String exampleId,
    int choiceIndex,
    RequestKind kind,
    String context,
    String continuation,
    int maxNewTokens,
    List<String> stopSequences,
    boolean addSpecialTokens,
    String decoding,
    double temperature,
    double topP,
    int topK,
    long seed,
    String gold,
    String subset,
    String promptSha256,
    String modelRevision,
    String taskVersion,
    String modelId,
    String taskId) implements TableRow, Serializable {
  public static final String CONTEXT = "context";
  public static final String CONTINUATION = "continuation";
  public static final String MAX_NEW_TOKENS = "max_new_tokens";
  public static final String STOP_SEQUENCES = "stop_sequences";
  public static final String ADD_SPECIAL_TOKENS = "add_special_tokens";
  public static final String DECODING = "decoding";
  public static final String TEMPERATURE = "temperature";
  public static final String TOP_P = "top_p";
  public static final String TOP_K = "top_k";
  public static final String SEED = "seed";
  public static final String PROMPT_SHA256 = "prompt_sha256";
  /** The columns a row gets when it is crossed with a model. */
  public static final List<String> MODEL_COLUMNS = List.of(REQUEST_ID, MODEL_REVISION, MODEL_ID);

  /** A task's request before a model is chosen. */
  public static RequestRow planned(PlannedRequest r) {
    PlannedRequest.Decoding d = r.decoding();
    return new RequestRow(null, r.exampleId(), r.choiceIndex(), r.kind(), r.context(), r.continuation(), r.maxNewTokens(),
        r.stop(), r.addSpecialTokens(), d.label(), d.temperature(), d.topP(), d.topK(), d.seed(), r.gold(), r.subset(),
        RequestId.sha256(r.context()), null, r.taskVersion(), null, r.taskId());
  }

  /** This request for one model, with its id: SHA-256 of everything that decides the response ({@link RequestId}). */
  public RequestRow forModel(String model, String revision) {
    String id = RequestId.of(model, revision, taskId, taskVersion, exampleId, choiceIndex, kind, context, continuation,
        maxNewTokens, stopSequences, addSpecialTokens, temperature, topP, topK, seed);
    return new RequestRow(id, exampleId, choiceIndex, kind, context, continuation, maxNewTokens, stopSequences,
        addSpecialTokens, decoding, temperature, topP, topK, seed, gold, subset, promptSha256, revision, taskVersion, model,
        taskId);
  }

  /** A requests row, or a projection without the model columns (those are then null). */
  public static RequestRow from(Row r) {
    return new RequestRow(TableRow.optional(r, REQUEST_ID), r.getAs(EXAMPLE_ID), r.<Integer>getAs(CHOICE_INDEX),
        RequestKind.parse(r.getAs(REQUEST_KIND)), r.getAs(CONTEXT), r.getAs(CONTINUATION), r.<Integer>getAs(MAX_NEW_TOKENS),
        List.copyOf(r.getList(r.fieldIndex(STOP_SEQUENCES))), r.<Boolean>getAs(ADD_SPECIAL_TOKENS), r.getAs(DECODING),
        r.<Double>getAs(TEMPERATURE), r.<Double>getAs(TOP_P), r.<Integer>getAs(TOP_K), r.<Long>getAs(SEED), r.getAs(GOLD),
        r.getAs(SUBSET), r.getAs(PROMPT_SHA256), TableRow.optional(r, MODEL_REVISION), r.getAs(TASK_VERSION),
        TableRow.optional(r, MODEL_ID), r.getAs(TASK_ID));
  }

  @Override
  public String table() {
    return TableSchemas.REQUESTS;
  }

  @Override
  public Object value(String column) {
    return switch (column) {
      case REQUEST_ID -> requestId;
      case EXAMPLE_ID -> exampleId;
      case CHOICE_INDEX -> choiceIndex;
      case REQUEST_KIND -> kind.label();
      case CONTEXT -> context;
      case CONTINUATION -> continuation;
      case MAX_NEW_TOKENS -> maxNewTokens;
      // Spark's row encoder takes arrays as Scala sequences only
      case STOP_SEQUENCES -> CollectionConverters.asScala(stopSequences).toSeq();
      case ADD_SPECIAL_TOKENS -> addSpecialTokens;
      case DECODING -> decoding;
      case TEMPERATURE -> temperature;
      case TOP_P -> topP;
      case TOP_K -> topK;
      case SEED -> seed;
      case GOLD -> gold;
      case SUBSET -> subset;
      case PROMPT_SHA256 -> promptSha256;
      case MODEL_REVISION -> modelRevision;
      case TASK_VERSION -> taskVersion;
      case MODEL_ID -> modelId;
      case TASK_ID -> taskId;
      default -> throw TableRow.unknown(table(), column);
    };
  }
}
