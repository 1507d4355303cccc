package dev.kansoku.pipeline;

import dev.kansoku.config.ConfigError;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.infer.InferStage;
import dev.kansoku.infer.RequestCost;
import dev.kansoku.inference.Backends;
import dev.kansoku.metric.Metrics;
import dev.kansoku.plan.MissingWork;
import dev.kansoku.plan.PlannedRequests;
import dev.kansoku.results.DeadRunRecovery;
import dev.kansoku.results.ErrorRow;
import dev.kansoku.results.ModelTask;
import dev.kansoku.results.ResultFiles;
import dev.kansoku.results.ResultsStore;
import dev.kansoku.results.RunLock;
import dev.kansoku.results.StoredFiles;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.results.TaskScoreRow;
import dev.kansoku.storage.ModelStaging;
import dev.kansoku.sandbox.IsolationLayer;
import dev.kansoku.sandbox.PythonSandbox;
import dev.kansoku.score.Aggregation;
import dev.kansoku.score.ScoreStage;
import dev.kansoku.task.LoadedDataset;
import dev.kansoku.task.TaskPlan;
import dev.kansoku.text.chat.ChatTemplate;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluate job: plan → find the missing work → infer → score → aggregate, all tables in Parquet under the
 * results directory. Planning and validation happen on the driver before anything is written, so a bad
 * configuration leaves earlier results untouched. Each stage is its own class; this one only chains them.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  private final SparkSession spark;
  private final ResolvedRun run;
  private final ResultsStore store;
  private final String runId;
  /** Each model's chat template by model id, read when a task of the run is in chat form. */
  private final Map<String, ChatTemplate.Source> chatTemplates = new LinkedHashMap<>();

  public EvaluateJob(SparkSession spark, ResolvedRun run) {
    this.spark = spark;
    this.run = run;
    this.store = new ResultsStore(spark, run.settings().resultsDir());
    this.runId = newRunId();
  }

  /** A run's id: its UTC start time (runs sort by it) and a few random hex digits (runs started in the same second). */
  private static String newRunId() {
    return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now())
        + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
  }

  /**
   * A model's chat template for the run's chat-form tasks, read from its (staged) directory before any work: a model
   * without one cannot run them, which is said now, naming the model and a task.
   */
  private static ChatTemplate.Source chatTemplate(ModelSpec m, java.nio.file.Path dir, List<TaskSpec> chatTasks) throws IOException {
    return ChatTemplate.fromModelDirectory(dir).map(ChatTemplate::source).orElseThrow(() -> new ConfigError(
        chatTasks.get(0).sourceFile(), "task.chat-template", "model " + m.id() + " has no chat template (tokenizer_config.json's "
            + "chat_template or chat_template.jinja in " + m.path() + "); run " + chatTasks.stream().map(TaskSpec::id).toList()
            + " with instruct models, or without chat-template"));
  }

  public EvaluationSummary run() throws IOException {
    // cost constants per model id, from the model's shape when its backend knows it (else costed by tokens only)
    Map<String, RequestCost.ModelCost> modelCosts = new LinkedHashMap<>();
    List<TaskSpec> chatTasks = run.tasks().stream().filter(t -> t.chat().template()).toList();
    for (ModelSpec m : run.models()) {
      // a model on shared storage: the driver copies its config and tokenizer only; executors stage the weights
      ModelSpec local = ModelStaging.local(m, ModelStaging.Kind.METADATA, spark.sparkContext().hadoopConfiguration(),
          run.settings().modelCacheDir());
      Backends.of(m.format()).preflight(m, java.nio.file.Path.of(local.path()), local == m)
          .ifPresent(shape -> modelCosts.put(m.id(), RequestCost.ModelCost.of(shape)));
      if (!chatTasks.isEmpty()) {
        chatTemplates.put(m.id(), chatTemplate(m, java.nio.file.Path.of(local.path()), chatTasks));
      }
    }
    Set<IsolationLayer> sandboxLayers = Set.of();
    if (run.tasks().stream().anyMatch(t -> Metrics.executesCode(t.metrics()))) {
      // fail before any work when code cannot be run safely, and say which layers will protect the host
      sandboxLayers = new PythonSandbox(run.settings().sandbox()).layers();
    }
    var hadoop = spark.sparkContext().hadoopConfiguration();
    // an unknown scheme or a namenode that does not answer: one line before anything is computed or written
    StoredFiles.requireReachable(hadoop, run.settings().resultsDir());
    String planDir = store.path("_staging/plan-" + runId);
    try (RunLock lock = RunLock.acquire(hadoop, run.settings().resultsDir(), runId)) {
      // a truncated table file is named now, before any work, with the way out (kansoku repair)
      ResultFiles.requireReadable(hadoop, run.settings().resultsDir());
      // holding the lock, no other run is alive: what dead runs left (progress.json, staging) is cleaned up
      DeadRunRecovery.recover(hadoop, run.settings().resultsDir(), runId);
      return evaluate(modelCosts, sandboxLayers, planDir);
    } finally {
      Path p = new Path(planDir);
      p.getFileSystem(hadoop).delete(p, true);
    }
  }

  private EvaluationSummary evaluate(Map<String, RequestCost.ModelCost> modelCosts, Set<IsolationLayer> sandboxLayers, String planDir)
      throws IOException {
    // plan every task on the driver, one at a time, into the run's staging directory (nothing is held for
    // the whole suite; a bad task fails here, before any table is written)
    PlannedRequests.Written written = PlannedRequests.write(spark.sparkContext().hadoopConfiguration(), run.tasks(),
        run.settings().limit(), run.settings().maxBadRowShare(), planDir);
    Map<ModelTask, String> scoreSets = written.scoreSets(run.models());
    store.moveLegacyExampleScores();
    List<ErrorRow> errors = datasetErrors(written.plans());

    Dataset<Row> planned = PlannedRequests.of(spark, written, run.models(), chatTemplates).cache();
    MissingWork missing = MissingWork.find(store, planned);
    long plannedCount = written.requestsPerModel() * run.models().size();
    LOG.info("requests planned {}, already answered {}, to compute {}", plannedCount, plannedCount - missing.count(), missing.count());

    InferStage.Outcome inferred = new InferStage(spark, store, runId, run.settings(), run.models(), modelCosts)
        .run(missing.requests(), written.requestsBy(run.models()), missing.byPair());
    errors.addAll(inferred.failures());
    // an empty errors table is still written once, so every documented table exists after a run
    if (!errors.isEmpty() || !store.exists(TableSchemas.ERRORS)) {
      store.append(TableSchemas.ERRORS,
          spark.createDataFrame(errors.stream().map(ErrorRow::toRow).toList(), TableSchemas.schema(TableSchemas.ERRORS)));
    }

    ScoreStage scoring = new ScoreStage(store, run.models(), run.tasks(), run.settings().sandbox(), scoreSets,
        run.settings().modelCacheDir());
    scoring.score(planned, scoring.pairsToScore(missing.byPair().keySet()));
    List<TaskScoreRow> scores = new Aggregation(store, runId, scoreSets, plansByTask(written.plans()), revisions()).run();
    planned.unpersist();
    missing.release();
    return summary(written, plannedCount, missing, inferred, scores, sandboxLayers);
  }

  /** An errors row for every bad dataset row the plans skipped. */
  private List<ErrorRow> datasetErrors(List<TaskPlan> plans) {
    List<ErrorRow> errors = new ArrayList<>();
    Timestamp now = new Timestamp(System.currentTimeMillis());
    for (TaskPlan p : plans) {
      for (LoadedDataset.RowError e : p.errors()) {
        errors.add(new ErrorRow(runId, "load", e.file(), e.line(), null, p.task().id(), null, e.problem(), now));
      }
    }
    return errors;
  }

  private EvaluationSummary summary(PlannedRequests.Written written, long plannedCount, MissingWork missing, InferStage.Outcome inferred,
                                    List<TaskScoreRow> scores, Set<IsolationLayer> sandboxLayers) {
    List<EvaluationSummary.TaskWork> work = new ArrayList<>();
    for (ModelSpec m : run.models()) {
      written.requestsByTask().forEach((task, n) -> {
        long toCompute = missing.of(new ModelTask(m.id(), task));
        work.add(new EvaluationSummary.TaskWork(m.id(), task, n, n - toCompute, toCompute));
      });
    }
    List<EvaluationSummary.TaskScore> taskScores = scores.stream()
        .map(s -> new EvaluationSummary.TaskScore(s.modelId(), s.taskId(), s.metric(), s.value(), s.stderr(), s.n())).toList();
    long datasetErrors = written.plans().stream().mapToLong(p -> p.errors().size()).sum();
    return new EvaluationSummary(runId, run.settings().resultsDir(), plannedCount, plannedCount - missing.count(), inferred.computed(),
        inferred.failures().size(), inferred.forwardPasses(), inferred.truncated(), datasetErrors, taskScores, sandboxLayers,
        run.skippedTasks(), work);
  }

  private static Map<String, TaskPlan> plansByTask(List<TaskPlan> plans) {
    Map<String, TaskPlan> byTask = new LinkedHashMap<>();
    plans.forEach(p -> byTask.put(p.task().id(), p));
    return byTask;
  }

  /** The result revision of each model id (with its dtype: fp16 scores are not fp32 scores). */
  private Map<String, String> revisions() {
    Map<String, String> revisions = new LinkedHashMap<>();
    run.models().forEach(m -> revisions.put(m.id(), m.resultRevision()));
    return revisions;
  }
}
