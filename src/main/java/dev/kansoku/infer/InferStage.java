package dev.kansoku.infer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.RunSettings;
import dev.kansoku.results.ErrorRow;
import dev.kansoku.results.ModelTask;
import dev.kansoku.results.ResponseRow;
import dev.kansoku.results.ResultsStore;
import dev.kansoku.results.TableSchemas;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/**
 * The infer stage on the driver: runs the missing requests on executors in commit chunks and commits each
 * chunk's responses before the next starts (docs/commit-protocol.md), reporting progress after every chunk and,
 * between commits, every {@code progress-seconds}.
 */
public final class InferStage {
  /** The start of the name of the Spark stages that compute responses (one per commit chunk). */
  public static final String STAGE_NAME = "kansoku infer";
  private final SparkSession spark;
  private final ResultsStore store;
  private final String runId;
  private final RunSettings settings;
  private final Map<String, ModelSpec> models = new LinkedHashMap<>();
  private final Map<String, RequestCost.ModelCost> modelCosts;
  private final LongAccumulator forwardPasses;
  private final LongAccumulator computed;
  private final LongAccumulator truncated;

  /** What the stage computed: the counters, and an errors row for every request that failed. */
  public record Outcome(long forwardPasses, long computed, long truncated, List<ErrorRow> failures) {}

  public InferStage(SparkSession spark, ResultsStore store, String runId, RunSettings settings, List<ModelSpec> models,
                    Map<String, RequestCost.ModelCost> modelCosts) {
    this.spark = spark;
    this.store = store;
    this.runId = runId;
    this.settings = settings;
    models.forEach(m -> this.models.put(m.id(), m));
    this.modelCosts = Map.copyOf(modelCosts);
    this.forwardPasses = spark.sparkContext().longAccumulator("kansoku.forward_passes");
    this.computed = spark.sparkContext().longAccumulator("kansoku.requests_computed");
    this.truncated = spark.sparkContext().longAccumulator("kansoku.truncated");
  }

  /**
   * Computes {@code missing} (rows of the requests table without a successful response).
   *
   * @param plannedBy requests planned per model and task
   * @param missingBy of those, requests still to compute
   */
  public Outcome run(Dataset<Row> missing, Map<ModelTask, Long> plannedBy, Map<ModelTask, Long> missingBy) {
    long missingCount = missingBy.values().stream().mapToLong(Long::longValue).sum();
    if (missingCount == 0) {
      return new Outcome(0, 0, 0, List.of());
    }
    // more cost ranges than task slots: a slot that finishes early takes the next range (estimates are rough)
    int partitions = settings.inferencePartitions() > 0 ? settings.inferencePartitions() : 4 * spark.sparkContext().defaultParallelism();
    int chunks = (int) Math.max(1, (missingCount + settings.commitEvery() - 1) / settings.commitEvery());
    ProgressTracker progress = ProgressTracker.start(spark, store, runId, plannedBy, missingBy, chunks);
    // between commits, running tasks' counts arrive with executor heartbeats: a run line every progress-seconds
    LiveProgress live = new LiveProgress(computed);
    spark.sparkContext().addSparkListener(live);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kansoku-progress");
      t.setDaemon(true);
      return t;
    });
    int every = settings.progressSeconds();
    if (every > 0) {
      ticker.scheduleAtFixedRate(() -> progress.computing(computed.value() + live.inFlight()), every, every, TimeUnit.SECONDS);
    }
    List<ErrorRow> failures;
    try {
      failures = computeChunks(chunks, partitions, missing, progress);
    } finally {
      stop(ticker);
      spark.sparkContext().removeSparkListener(live);
    }
    // after the timer stopped, so that no late tick marks the finished run as running again
    progress.finish();
    return new Outcome(forwardPasses.value(), computed.value(), truncated.value(), failures);
  }

  private List<ErrorRow> computeChunks(int chunks, int partitions, Dataset<Row> missing, ProgressTracker progress) {
    List<ErrorRow> failures = new ArrayList<>();
    for (int c = 0; c < chunks; c++) {
      // a request's chunk is a hash of its example: stable across re-runs, balanced across models and tasks, and
      // the choices of one question stay together (prefix reuse scores their shared context once)
      Dataset<Row> chunk = chunks == 1 ? missing
          : missing.where(pmod(xxhash64(col(ResponseRow.MODEL_ID), col(ResponseRow.TASK_ID), col(ResponseRow.EXAMPLE_ID)), lit(chunks))
              .equalTo(c));
      Dataset<Row> ordered = RequestCost.partition(chunk, partitions, modelCosts, settings.batchSize());
      Dataset<Row> responses = ordered.mapPartitions(new InferencePartition(models, settings, forwardPasses, computed, truncated),
          Encoders.row(TableSchemas.schema(TableSchemas.RESPONSES)));
      String staged = store.path("_staging/responses-" + runId + "-" + c);
      // one Spark job computes the chunk into staging (its task commit discards killed and duplicate
      // attempts); the committed files are then renamed into the table (docs/commit-protocol.md)
      // named for the Spark UI and logs (else "parquet at ResultsStore.java"): the stage that runs the models
      spark.sparkContext().setCallSite(STAGE_NAME + " chunk " + (c + 1) + "/" + chunks);
      try {
        store.stage(TableSchemas.RESPONSES, responses, staged);
      } finally {
        spark.sparkContext().clearCallSite();
      }
      Dataset<Row> fresh = spark.read().schema(TableSchemas.schema(TableSchemas.RESPONSES)).parquet(staged);
      long chunkFailures = progress.chunkComputed(fresh);
      List<Row> failed = chunkFailures == 0 ? List.of() : fresh.where(col(ResponseRow.ERROR).isNotNull()).collectAsList();
      store.commitStaged(TableSchemas.RESPONSES, staged);
      Timestamp now = new Timestamp(System.currentTimeMillis());
      for (Row f : failed) {
        ResponseRow r = ResponseRow.from(f);
        failures.add(new ErrorRow(runId, "infer", null, null, r.modelId(), r.taskId(), r.requestId(), r.error(), now));
      }
      progress.chunkCommitted(c + 1);
    }
    return failures;
  }

  private static void stop(ScheduledExecutorService ticker) {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
