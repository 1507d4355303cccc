package dev.kansoku.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.infer.InferencePartition;
import dev.kansoku.infer.LiveProgress;
import dev.kansoku.infer.ProgressTracker;
import dev.kansoku.infer.RequestCost;
import dev.kansoku.inference.ModelPreflight;
import dev.kansoku.metric.AggregateState;
import dev.kansoku.metric.Metrics;
import dev.kansoku.plan.PlannedRequests;
import dev.kansoku.results.DeadRunRecovery;
import dev.kansoku.results.ModelTask;
import dev.kansoku.results.ResultFiles;
import dev.kansoku.results.ResultsStore;
import dev.kansoku.results.RunLock;
import dev.kansoku.results.ScoreSets;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.sandbox.IsolationLayer;
import dev.kansoku.sandbox.PythonSandbox;
import dev.kansoku.score.ExecuteCodeSamples;
import dev.kansoku.score.ScoreExamples;
import dev.kansoku.task.LoadedDataset;
import dev.kansoku.task.TaskPlan;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluate job: plan → infer (only missing requests) → score → aggregate, all tables in Parquet under
 * the results directory. Planning and validation happen on the driver before anything is written, so a bad
 * configuration leaves earlier results untouched.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  private final SparkSession spark;
  private final ResolvedRun run;
  private final ResultsStore store;
  private final String runId;
  /** Cost constants per model id, from the config.json that the preflight check reads. */
  private final Map<String, RequestCost.ModelCost> modelCosts = new LinkedHashMap<>();
  /** (model, task) → this run's score set, and what it was computed from. */
  private final Map<ModelTask, String> scoreSets = new LinkedHashMap<>();
  private final Map<String, TaskPlan> plansByTask = new LinkedHashMap<>();

  public EvaluateJob(SparkSession spark, ResolvedRun run) {
    this.spark = spark;
    this.run = run;
    this.store = new ResultsStore(spark, run.settings().resultsDir());
    this.runId = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
        + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
  }

  public EvaluationSummary run() throws IOException {
    for (ModelSpec m : run.models()) {
      modelCosts.put(m.id(), RequestCost.ModelCost.of(ModelPreflight.check(m)));
    }
    java.util.Set<IsolationLayer> sandboxLayers = java.util.Set.of();
    if (run.tasks().stream().anyMatch(t -> Metrics.executesCode(t.metrics()))) {
      // fail before any work when code cannot be run safely, and say which layers will protect the host
      sandboxLayers = new PythonSandbox(run.settings().sandbox()).layers();
    }
    String planDir = store.path("_staging/plan-" + runId);
    try (RunLock lock = RunLock.acquire(spark.sparkContext().hadoopConfiguration(), run.settings().resultsDir(), runId)) {
      // a truncated table file is named now, before any work, with the way out (kansoku repair)
      ResultFiles.requireReadable(spark.sparkContext().hadoopConfiguration(), run.settings().resultsDir());
      // holding the lock, no other run is alive: what dead runs left (progress.json, staging) is cleaned up
      DeadRunRecovery.recover(spark.sparkContext().hadoopConfiguration(), run.settings().resultsDir(), runId);
      return evaluate(sandboxLayers, planDir);
    } finally {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(planDir);
      p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
    }
  }

  private EvaluationSummary evaluate(java.util.Set<IsolationLayer> sandboxLayers, String planDir) throws IOException {
    // plan every task on the driver, one at a time, into the run's staging directory (nothing is held for
    // the whole suite; a bad task fails here, before any table is written)
    PlannedRequests.Written written = PlannedRequests.write(spark.sparkContext().hadoopConfiguration(), run.tasks(),
        run.settings().limit(), run.settings().maxBadRowShare(), planDir);
    List<TaskPlan> plans = written.plans();
    for (TaskPlan p : plans) {
      plansByTask.put(p.task().id(), p);
      for (ModelSpec m : run.models()) {
        scoreSets.put(new ModelTask(m.id(), p.task().id()), ScoreSets.id(m, p.task(), p.fingerprint()));
      }
    }
    store.moveLegacyExampleScores();
    List<Row> errorRows = new ArrayList<>();
    for (TaskPlan p : plans) {
      for (LoadedDataset.RowError e : p.errors()) {
        errorRows.add(errorRow("load", e.file(), e.line(), null, p.task().id(), null, e.problem()));
      }
    }

    Dataset<Row> planned = PlannedRequests.of(spark, written, run.models()).cache();
    // every model plans the same requests per task: the totals need no Spark job
    long plannedCount = written.requestsPerModel() * run.models().size();
    Map<ModelTask, Long> plannedByTask = new LinkedHashMap<>();
    for (ModelSpec m : run.models()) {
      written.requestsByTask().forEach((task, n) -> plannedByTask.put(new ModelTask(m.id(), task), n));
    }
    Dataset<Row> knownIds = store.read(TableSchemas.REQUESTS).select("request_id");
    store.append(TableSchemas.REQUESTS, planned.join(knownIds, planned.col("request_id").equalTo(knownIds.col("request_id")), "left_anti"));

    Dataset<Row> answered = store.read(TableSchemas.RESPONSES).where(col("error").isNull()).select("request_id").distinct();
    Dataset<Row> missing = planned.join(answered, planned.col("request_id").equalTo(answered.col("request_id")), "left_anti").cache();
    // one pass over the missing requests gives the total, the per-model summary and the progress baseline
    Map<ModelTask, Long> missingByTask = new LinkedHashMap<>();
    for (Row r : missing.groupBy("model_id", "task_id").count().collectAsList()) {
      missingByTask.put(new ModelTask(r.getString(0), r.getString(1)), r.getLong(2));
    }
    List<EvaluationSummary.TaskWork> work = new ArrayList<>();
    for (ModelSpec m : run.models()) {
      written.requestsByTask().forEach((task, n) -> {
        long toCompute = missingByTask.getOrDefault(new ModelTask(m.id(), task), 0L);
        work.add(new EvaluationSummary.TaskWork(m.id(), task, n, n - toCompute, toCompute));
      });
    }
    long missingCount = missingByTask.values().stream().mapToLong(Long::longValue).sum();
    LOG.info("requests planned {}, already answered {}, to compute {}", plannedCount, plannedCount - missingCount, missingCount);

    LongAccumulator forwardPasses = spark.sparkContext().longAccumulator("kansoku.forward_passes");
    LongAccumulator computed = spark.sparkContext().longAccumulator("kansoku.requests_computed");
    LongAccumulator truncated = spark.sparkContext().longAccumulator("kansoku.truncated");
    long failed = 0;
    if (missingCount > 0) {
      failed = infer(plannedByTask, missing, missingByTask, forwardPasses, computed, truncated, errorRows);
    }
    // an empty errors table is still written once, so every documented table exists after a run
    if (!errorRows.isEmpty() || !store.exists(TableSchemas.ERRORS)) {
      store.append(TableSchemas.ERRORS, spark.createDataFrame(errorRows, TableSchemas.schema(TableSchemas.ERRORS)));
    }
    List<EvaluationSummary.TaskScore> scores = score(planned, missingByTask.keySet());
    planned.unpersist();
    missing.unpersist();
    long datasetErrors = plans.stream().mapToLong(p -> p.errors().size()).sum();
    return new EvaluationSummary(runId, run.settings().resultsDir(), plannedCount, plannedCount - missingCount,
        computed.value(), failed, forwardPasses.value(), truncated.value(), datasetErrors, scores, sandboxLayers, run.skippedTasks(), work);
  }

  /**
   * Runs the missing requests on executors in chunks and commits each chunk's responses before the next
   * starts (see docs/commit-protocol.md); reports progress after every chunk. Returns how many failed.
   */
  private long infer(Map<ModelTask, Long> plannedByTask, Dataset<Row> missing, Map<ModelTask, Long> missingByTask, LongAccumulator forwardPasses,
                     LongAccumulator computed, LongAccumulator truncated, List<Row> errorRows) {
    // more cost ranges than task slots: a slot that finishes early takes the next range (estimates are rough)
    int partitions = run.settings().inferencePartitions() > 0
        ? run.settings().inferencePartitions()
        : 4 * spark.sparkContext().defaultParallelism();
    Map<String, ModelSpec> models = new LinkedHashMap<>();
    run.models().forEach(m -> models.put(m.id(), m));
    long missingCount = missingByTask.values().stream().mapToLong(Long::longValue).sum();
    int chunks = (int) Math.max(1, (missingCount + run.settings().commitEvery() - 1) / run.settings().commitEvery());
    ProgressTracker progress = ProgressTracker.start(spark, store, runId, plannedByTask, missingByTask, chunks);
    // between commits, running tasks' counts arrive with executor heartbeats: a run line every progress-seconds
    LiveProgress live = new LiveProgress(computed);
    spark.sparkContext().addSparkListener(live);
    java.util.concurrent.ScheduledExecutorService ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kansoku-progress");
      t.setDaemon(true);
      return t;
    });
    int every = run.settings().progressSeconds();
    if (every > 0) {
      ticker.scheduleAtFixedRate(() -> progress.computing(computed.value() + live.inFlight()), every, every, java.util.concurrent.TimeUnit.SECONDS);
    }
    long failed;
    try {
      failed = inferChunks(chunks, partitions, models, missing, progress, forwardPasses, computed, truncated, errorRows);
    } finally {
      stop(ticker);
      spark.sparkContext().removeSparkListener(live);
    }
    // after the timer stopped, so that no late tick marks the finished run as running again
    progress.finish();
    return failed;
  }

  private static void stop(java.util.concurrent.ExecutorService ticker) {
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long inferChunks(int chunks, int partitions, Map<String, ModelSpec> models, Dataset<Row> missing, ProgressTracker progress,
                           LongAccumulator forwardPasses, LongAccumulator computed, LongAccumulator truncated, List<Row> errorRows) {
    long failedCount = 0;
    for (int c = 0; c < chunks; c++) {
      // a request's chunk is a hash of its example: stable across re-runs, balanced across models and tasks, and
      // the choices of one question stay together (prefix reuse scores their shared context once)
      Dataset<Row> chunk = chunks == 1 ? missing
          : missing.where(org.apache.spark.sql.functions.pmod(
              org.apache.spark.sql.functions.xxhash64(col("model_id"), col("task_id"), col("example_id")), lit(chunks)).equalTo(c));
      Dataset<Row> ordered = RequestCost.partition(chunk, partitions, modelCosts, run.settings().batchSize());
      Dataset<Row> responses = ordered.mapPartitions(
          new InferencePartition(models, run.settings(), forwardPasses, computed, truncated),
          Encoders.row(TableSchemas.schema(TableSchemas.RESPONSES)));
      String staged = store.path("_staging/responses-" + runId + "-" + c);
      // one Spark job computes the chunk into staging (its task commit discards killed and duplicate
      // attempts); the committed files are then renamed into the table (docs/commit-protocol.md)
      store.stage(TableSchemas.RESPONSES, responses, staged);
      Dataset<Row> fresh = spark.read().schema(TableSchemas.schema(TableSchemas.RESPONSES)).parquet(staged);
      long chunkFailures = progress.chunkComputed(fresh);
      List<Row> failures = chunkFailures == 0 ? List.of()
          : fresh.where(col("error").isNotNull()).select("model_id", "task_id", "request_id", "error").collectAsList();
      store.commitStaged(TableSchemas.RESPONSES, staged);
      for (Row f : failures) {
        errorRows.add(errorRow("infer", null, null, f.getString(0), f.getString(1), f.getString(2), f.getString(3)));
      }
      failedCount += failures.size();
      progress.chunkCommitted(c + 1);
    }
    return failedCount;
  }

  /**
   * Scores the (model, task) pairs whose responses changed in this run (they had missing requests) or that have
   * no example scores yet; the others keep theirs, so a re-run or a nightly run with one new model scores only
   * what is new. Then aggregates every pair of the run. (Scoring rules are part of the task version, as prompts
   * are: a changed metric or post-processing needs a version bump, which makes every pair new.)
   */
  private List<EvaluationSummary.TaskScore> score(Dataset<Row> allPlanned, Set<ModelTask> changedPairs) {
    Set<ModelTask> toScore = new HashSet<>(changedPairs);
    // a pair whose score set (what the scores are computed from) has no example scores yet is scored
    Set<Map.Entry<ModelTask, String>> scored = new HashSet<>();
    for (Row r : store.read(TableSchemas.EXAMPLE_SCORES).select("model_id", "task_id", "score_set").distinct().collectAsList()) {
      scored.add(Map.entry(new ModelTask(r.getString(0), r.getString(1)), r.isNullAt(2) ? ScoreSets.LEGACY : r.getString(2)));
    }
    for (ModelSpec m : run.models()) {
      for (TaskSpec t : run.tasks()) {
        ModelTask k = new ModelTask(m.id(), t.id());
        if (!scored.contains(Map.entry(k, scoreSets.get(k)))) {
          toScore.add(k);
        }
      }
    }
    LOG.info("scoring {} of {} (model, task) pairs (the others are unchanged)", toScore.size(), run.models().size() * run.tasks().size());
    if (toScore.isEmpty()) {
      return aggregate();
    }
    Dataset<Row> planned = allPlanned.join(org.apache.spark.sql.functions.broadcast(pairs(toScore)), new String[] {"model_id", "task_id"}, "left_semi");
    Dataset<Row> responses = store.read(TableSchemas.RESPONSES).where(col("error").isNull())
        .dropDuplicates("request_id")
        .select(col("request_id").as("r_id"), col("loglikelihood"), col("is_greedy"), col("generated_text"),
            lit(true).as("answered"));
    Dataset<Row> joined = planned
        .withColumn("expected_responses", count(lit(1)).over(Window.partitionBy("model_id", "task_id", "example_id")).cast("int"))
        .join(responses, planned.col("request_id").equalTo(responses.col("r_id")), "left");
    Map<String, TaskSpec> tasks = new LinkedHashMap<>();
    run.tasks().forEach(t -> tasks.put(t.id(), t));
    // the execute stage: code samples run in sandboxes, in parallel within each task
    Dataset<Row> executed = joined.mapPartitions(new ExecuteCodeSamples(tasks, run.settings().sandbox(), joined.schema()),
        Encoders.row(ExecuteCodeSamples.schema(joined.schema())));
    Dataset<Row> exampleScores = executed
        .groupByKey((MapFunction<Row, String>) r -> r.getAs("model_id") + "\u0000" + r.getAs("task_id") + "\u0000" + r.getAs("example_id"),
            Encoders.STRING())
        .flatMapGroups(new ScoreExamples(tasks, scoreSets, modelDirs()), Encoders.row(TableSchemas.schema(TableSchemas.EXAMPLE_SCORES)));
    store.overwritePartitions(TableSchemas.EXAMPLE_SCORES, exampleScores);
    return aggregate();
  }

  /**
   * Task scores of this run's score sets, merged into the task_scores table beside every other set; per-subject
   * scores likewise in subset_scores. Means are Spark aggregates; corpus metrics (BLEU, the JP harness' ROUGE-2)
   * are merged from the examples' rows by each metric's {@link AggregateState}.
   */
  private List<EvaluationSummary.TaskScore> aggregate() {
    // this run's score sets only: other sets of the same (model, task) are history and stay as they are
    Dataset<Row> mine = store.read(TableSchemas.EXAMPLE_SCORES)
        .join(org.apache.spark.sql.functions.broadcast(runSets()), new String[] {"model_id", "task_id", "score_set"}, "left_semi");
    List<Row> fresh = means(mine, "model_id", "task_id", "task_version", "metric");
    // corpus metrics need every segment's statistics on the driver: a few numbers per example
    // (in the order the table is read, which fixes BLEU's bootstrap draws for a given table)
    Map<Map.Entry<ModelTask, String>, AggregateState> corpusStates = new LinkedHashMap<>();
    for (Row r : mine.where(col("metric").isin(Metrics.corpusMetrics().toArray()))
        .select("model_id", "task_id", "metric", "detail", "example_id", "value").collectAsList()) {
      corpusStates.computeIfAbsent(Map.entry(new ModelTask(r.getString(0), r.getString(1)), r.getString(2)),
          k -> Metrics.named(r.getString(2)).newState()).add(r.getString(4), r.getDouble(5), r.getString(3));
    }
    Timestamp now = new Timestamp(System.currentTimeMillis());
    Map<ScoreKey, Row> freshByKey = new LinkedHashMap<>();
    List<EvaluationSummary.TaskScore> scores = new ArrayList<>();
    for (Row r : fresh) {
      double value = r.getDouble(4);
      Double stderr = r.isNullAt(5) || Double.isNaN(r.getDouble(5)) ? null : r.getDouble(5);
      AggregateState corpus = corpusStates.get(Map.entry(new ModelTask(r.getString(0), r.getString(1)), r.getString(3)));
      if (corpus != null) {
        AggregateState.Result c = corpus.result((int) plansByTask.get(r.getString(1)).rows().eval());
        value = c.value();
        stderr = c.stderr();
      }
      ModelTask pair = new ModelTask(r.getString(0), r.getString(1));
      TaskPlan plan = plansByTask.get(r.getString(1));
      freshByKey.put(new ScoreKey(pair, scoreSets.get(pair), null, r.getString(3)), RowFactory.create(r.getString(0), r.getString(1),
          r.getString(2), r.getString(3), value, stderr, r.getLong(6), "evaluated", now, scoreSets.get(pair), revision(r.getString(0)),
          plan.fingerprint().dataset(), (long) plan.examples(), r.getLong(6) >= plan.examples()));
      scores.add(new EvaluationSummary.TaskScore(r.getString(0), r.getString(1), r.getString(3), value, stderr, r.getLong(6)));
    }
    List<Row> table = new ArrayList<>();
    for (Row old : store.read(TableSchemas.TASK_SCORES).collectAsList()) {
      ScoreKey key = new ScoreKey(new ModelTask(old.getAs("model_id"), old.getAs("task_id")), old.getAs("score_set"), null,
          old.getAs("metric"));
      Row replacement = "evaluated".equals(old.getAs("source")) ? freshByKey.get(key) : null;
      if (replacement != null && old.getAs("n") != null && old.<Long>getAs("n") > replacement.<Long>getAs(6)) {
        // the same set scored over fewer examples (requests failed this time): the earlier, fuller scores stay
        LOG.warn("keeping {} {} {}: {} examples scored before, {} now", old.getAs("model_id"), old.getAs("task_id"), old.getAs("metric"),
            old.getAs("n"), replacement.getAs(6));
        freshByKey.remove(key);
        replacement = null;
      }
      if (replacement == null) {
        table.add(old);
      }
    }
    table.addAll(freshByKey.values());
    store.replace(TableSchemas.TASK_SCORES, table, runId);
    writeSubsetScores(mine.where(col("subset").isNotNull()), now);
    return scores;
  }

  /** A task or subset score's identity within a score table (subset null for task scores). */
  private record ScoreKey(ModelTask pair, String scoreSet, String subset, String metric) {}

  /** (model_id, task_id) of the given pairs, for a semi-join. */
  private Dataset<Row> pairs(Set<ModelTask> pairs) {
    List<Row> rows = new ArrayList<>();
    pairs.forEach(p -> rows.add(RowFactory.create(p.modelId(), p.taskId())));
    return spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType()
        .add("model_id", org.apache.spark.sql.types.DataTypes.StringType).add("task_id", org.apache.spark.sql.types.DataTypes.StringType));
  }

  /** (model_id, task_id, score_set) of this run's score sets, for a semi-join. */
  private Dataset<Row> runSets() {
    List<Row> rows = new ArrayList<>();
    scoreSets.forEach((p, set) -> rows.add(RowFactory.create(p.modelId(), p.taskId(), set)));
    return spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType()
        .add("model_id", org.apache.spark.sql.types.DataTypes.StringType).add("task_id", org.apache.spark.sql.types.DataTypes.StringType)
        .add("score_set", org.apache.spark.sql.types.DataTypes.StringType));
  }

  /** Model id → directory, for metrics scored on the model's own tokens (only when a task asks for one). */
  private Map<String, String> modelDirs() {
    Map<String, String> dirs = new LinkedHashMap<>();
    boolean needed = run.tasks().stream().anyMatch(t -> Metrics.needModelTokens(t.metrics()));
    if (needed) {
      run.models().forEach(m -> dirs.put(m.id(), m.path()));
    }
    return dirs;
  }

  private String revision(String modelId) {
    return run.models().stream().filter(m -> m.id().equals(modelId)).findFirst().map(ModelSpec::resultRevision).orElse(null);
  }

  /** Mean, standard error of the mean and n per group (the first columns are the group keys). */
  private static List<Row> means(Dataset<Row> scores, String... keys) {
    String[] rest = java.util.Arrays.copyOfRange(keys, 1, keys.length);
    return scores.groupBy(keys[0], rest)
        .agg(org.apache.spark.sql.functions.avg("value").as("value"),
            org.apache.spark.sql.functions.expr("stddev_samp(value) / sqrt(count(*))").as("stderr"),
            count(lit(1)).as("n"))
        .orderBy(keys[0], rest)
        .collectAsList();
  }

  private void writeSubsetScores(Dataset<Row> withSubjects, Timestamp now) {
    Map<ScoreKey, Row> fresh = new LinkedHashMap<>();
    for (Row r : means(withSubjects.where(col("metric").isin(Metrics.corpusMetrics().toArray()).unary_$bang()),
        "model_id", "task_id", "task_version", "subset", "metric")) {
      Double stderr = r.isNullAt(6) || Double.isNaN(r.getDouble(6)) ? null : r.getDouble(6);
      ModelTask pair = new ModelTask(r.getString(0), r.getString(1));
      TaskPlan plan = plansByTask.get(r.getString(1));
      fresh.put(new ScoreKey(pair, scoreSets.get(pair), r.getString(3), r.getString(4)),
          RowFactory.create(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getDouble(5), stderr,
              r.getLong(7), now, scoreSets.get(pair), revision(r.getString(0)), plan.fingerprint().dataset(), null, null));
    }
    List<Row> table = new ArrayList<>();
    for (Row old : store.read(TableSchemas.SUBSET_SCORES).collectAsList()) {
      ScoreKey key = new ScoreKey(new ModelTask(old.getAs("model_id"), old.getAs("task_id")), old.getAs("score_set"),
          old.getAs("subset"), old.getAs("metric"));
      if (!fresh.containsKey(key)) {
        table.add(old);
      }
    }
    table.addAll(fresh.values());
    store.replace(TableSchemas.SUBSET_SCORES, table, runId);
  }

  private Row errorRow(String stage, String file, Long line, String modelId, String taskId, String requestId, String message) {
    return RowFactory.create(runId, stage, file, line, modelId, taskId, requestId, message, new Timestamp(System.currentTimeMillis()));
  }
}
