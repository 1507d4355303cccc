package dev.kansoku.plan;

import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.results.ModelTask;
import dev.kansoku.results.RequestRow;
import dev.kansoku.results.RowParquetWriter;
import dev.kansoku.results.ScoreSets;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.task.PlannedRequest;
import dev.kansoku.task.TaskPlan;
import dev.kansoku.text.chat.ChatTemplate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The planned requests of a run as a Spark dataset with the {@code requests} schema. The driver plans one task
 * at a time and streams its requests (prompts are model-independent) into a Parquet file under the run's
 * staging directory, so driver memory is bounded by the largest task, not the suite; executors read the files,
 * and compute the model × request cross product and the request ids (a SHA-256 over the full prompt per
 * model), so nothing grows with the number of models on the driver either.
 */
public final class PlannedRequests {
  private static final Logger LOG = LoggerFactory.getLogger(PlannedRequests.class);
  /** The model columns of the cross join, dropped as each row becomes a {@link RequestRow} for its model. */
  private static final String MODEL = "_model";
  private static final String REVISION = "_revision";

  private PlannedRequests() {}

  /** The tasks' plans (requests dropped once written), where their requests are, and how many per task. */
  public record Written(String dir, List<TaskPlan> plans, Map<String, Long> requestsByTask) {
    public long requestsPerModel() {
      return requestsByTask.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Requests planned per (model, task): every model plans the same requests per task, so no Spark job counts them. */
    public Map<ModelTask, Long> requestsBy(List<ModelSpec> models) {
      Map<ModelTask, Long> by = new LinkedHashMap<>();
      for (ModelSpec m : models) {
        requestsByTask.forEach((task, n) -> by.put(new ModelTask(m.id(), task), n));
      }
      return by;
    }

    /** The score set each (model, task) of the run writes its scores to ({@link ScoreSets#id}). */
    public Map<ModelTask, String> scoreSets(List<ModelSpec> models) {
      Map<ModelTask, String> sets = new LinkedHashMap<>();
      for (TaskPlan p : plans) {
        for (ModelSpec m : models) {
          sets.put(new ModelTask(m.id(), p.task().id()), ScoreSets.id(m, p.task(), p.fingerprint()));
        }
      }
      return sets;
    }
  }

  /**
   * Plans every task (loading its files, checking its bad-row share) and writes its requests to
   * {@code dir/<task>.parquet}. A task that cannot be planned fails the run before any table is written;
   * the staging directory is then removed.
   */
  public static Written write(Configuration conf, List<TaskSpec> tasks, int limit, double maxBadRowShare, String dir) throws IOException {
    Path root = new Path(dir);
    FileSystem fs = root.getFileSystem(conf);
    fs.mkdirs(root);
    List<TaskPlan> plans = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    boolean done = false;
    StructType schema = taskSchema();
    try {
      for (TaskSpec t : tasks) {
        TaskPlan plan = TaskPlan.build(t, limit);
        plan.checkBadRowShare(maxBadRowShare);
        try (RowParquetWriter out = new RowParquetWriter(conf, new Path(root, t.id() + ".parquet"), schema)) {
          for (PlannedRequest r : plan.requests()) {
            out.write(RequestRow.planned(r).toRow(schema));
          }
          counts.put(t.id(), out.rows());
        }
        LOG.info("planned task {}: {} examples, {} requests", t.id(), plan.examples(), plan.requests().size());
        // keep what the summary needs, not the prompts
        plans.add(new TaskPlan(plan.task(), plan.examples(), List.of(), plan.errors(), plan.rowsRead(), plan.rows(), plan.fingerprint()));
      }
      done = true;
      return new Written(dir, plans, counts);
    } finally {
      if (!done) {
        fs.delete(root, true);
      }
    }
  }

  /** The requests of {@code written} for every model: read on executors, crossed with the models, ids computed there. */
  public static Dataset<Row> of(SparkSession spark, Written written, List<ModelSpec> models) {
    return of(spark, written, models, Map.of());
  }

  /**
   * As {@link #of(SparkSession, Written, List)}, with each model's chat template (by model id; the sources travel in
   * the closure, a few kilobytes each): a chat-form request becomes that template's rendering on the executor that
   * crosses it with the model.
   */
  public static Dataset<Row> of(SparkSession spark, Written written, List<ModelSpec> models, Map<String, ChatTemplate.Source> chatTemplates) {
    Map<String, ChatTemplate.Source> templates = new java.util.HashMap<>(chatTemplates);
    StructType full = TableSchemas.schema(TableSchemas.REQUESTS);
    Dataset<Row> tasks = written.requestsPerModel() == 0
        ? spark.createDataFrame(List.of(), taskSchema())
        : spark.read().schema(taskSchema()).parquet(written.dir());
    List<Row> modelRows = models.stream().map(m -> RowFactory.create(m.id(), m.resultRevision())).toList();
    StructType modelSchema = new StructType().add(MODEL, "string", false).add(REVISION, "string", false);
    Dataset<Row> crossed = tasks.crossJoin(spark.createDataFrame(modelRows, modelSchema));
    return crossed.map((MapFunction<Row, Row>) r -> {
      String model = r.getAs(MODEL);
      return RequestRow.from(r).forModel(model, r.getAs(REVISION), templates.get(model)).toRow();
    }, Encoders.row(full));
  }

  /** The requests schema without the model-dependent columns. */
  static StructType taskSchema() {
    StructType full = TableSchemas.schema(TableSchemas.REQUESTS);
    return new StructType(Arrays.stream(full.fields()).filter(f -> !RequestRow.MODEL_COLUMNS.contains(f.name()))
        .toArray(StructField[]::new));
  }
}
