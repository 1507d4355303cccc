package dev.kansoku.pipeline;

import dev.kansoku.config.ModelSpec;
import dev.kansoku.task.PlannedRequest;
import dev.kansoku.task.RequestId;
import dev.kansoku.task.TaskPlan;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The planned requests of a run as a Spark dataset with the {@code requests} schema. The driver holds each
 * task's requests once (prompts are model-independent); the model × request cross product and the request
 * ids (a SHA-256 over the full prompt per model) are computed by the executors, so driver memory does not grow
 * with the number of models.
 */
final class PlannedRequests {
  /** Columns that depend on the model: filled after the cross join. */
  private static final List<String> MODEL_COLUMNS = List.of("request_id", "model_revision", "model_id");

  private PlannedRequests() {}

  static Dataset<Row> of(SparkSession spark, List<TaskPlan> plans, List<ModelSpec> models) {
    StructType full = TableSchemas.schema(TableSchemas.REQUESTS);
    StructType taskOnly = new StructType(Arrays.stream(full.fields()).filter(f -> !MODEL_COLUMNS.contains(f.name())).toArray(StructField[]::new));
    List<Row> rows = new ArrayList<>();
    for (TaskPlan p : plans) {
      for (PlannedRequest r : p.requests()) {
        PlannedRequest.Decoding d = r.decoding();
        rows.add(RowFactory.create(r.exampleId(), r.choiceIndex(), r.kind(), r.context(), r.continuation(), r.maxNewTokens(),
            r.stop(), r.addSpecialTokens(), d.label(), d.temperature(), d.topP(), d.topK(), d.seed(), r.gold(), r.subset(),
            RequestId.sha256(r.context()), r.taskVersion(), r.taskId()));
      }
    }
    List<Row> modelRows = models.stream().map(m -> RowFactory.create(m.id(), m.revision())).toList();
    StructType modelSchema = new StructType().add("m_id", "string", false).add("m_revision", "string", false);
    // a local relation: Spark ships it in one task and warns about its size on large suites (see docs/roadmap.md)
    Dataset<Row> tasks = spark.createDataFrame(rows, taskOnly);
    Dataset<Row> crossed = tasks.crossJoin(spark.createDataFrame(modelRows, modelSchema));
    return crossed.map((MapFunction<Row, Row>) PlannedRequests::withModel, Encoders.row(full));
  }

  /** One row of the cross product in the requests schema, with its request id. */
  private static Row withModel(Row r) {
    String modelId = r.getAs("m_id");
    String revision = r.getAs("m_revision");
    String id = RequestId.of(modelId, revision, r.getAs("task_id"), r.getAs("task_version"), r.getAs("example_id"),
        r.<Integer>getAs("choice_index"), r.getAs("request_kind"), r.getAs("context"), r.getAs("continuation"),
        r.<Integer>getAs("max_new_tokens"), r.getList(r.fieldIndex("stop_sequences")), r.<Boolean>getAs("add_special_tokens"),
        r.<Double>getAs("temperature"), r.<Double>getAs("top_p"), r.<Integer>getAs("top_k"), r.<Long>getAs("seed"));
    return RowFactory.create(id, r.getAs("example_id"), r.getAs("choice_index"), r.getAs("request_kind"), r.getAs("context"),
        r.getAs("continuation"), r.getAs("max_new_tokens"), r.getAs("stop_sequences"), r.getAs("add_special_tokens"),
        r.getAs("decoding"), r.getAs("temperature"), r.getAs("top_p"), r.getAs("top_k"), r.getAs("seed"), r.getAs("gold"),
        r.getAs("subset"), r.getAs("prompt_sha256"), revision, r.getAs("task_version"), modelId, r.getAs("task_id"));
  }
}
