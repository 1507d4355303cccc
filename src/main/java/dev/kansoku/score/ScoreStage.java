package dev.kansoku.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.SandboxSettings;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.metric.Metrics;
import dev.kansoku.results.ExampleScoreRow;
import dev.kansoku.results.ModelTask;
import dev.kansoku.results.RequestRow;
import dev.kansoku.results.ResponseRow;
import dev.kansoku.results.ResultsStore;
import dev.kansoku.results.ScoreSets;
import dev.kansoku.results.TableSchemas;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The score stage on the driver: chooses the (model, task) pairs to score, joins their planned requests with
 * the answered responses, runs code samples in the sandbox ({@link ExecuteCodeSamples}) and scores each example
 * ({@link ScoreExamples}) into {@code example_scores}, partition model/task/score set.
 */
public final class ScoreStage {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreStage.class);
  /** Columns the join adds to a requests row: whether it was answered, and how many answers its example needs. */
  static final String ANSWERED = "_answered";
  static final String EXPECTED_RESPONSES = "_expected_responses";
  private static final String RESPONSE_ID = "_response_id";

  private final ResultsStore store;
  private final List<ModelSpec> models;
  private final Map<String, TaskSpec> tasks = new LinkedHashMap<>();
  private final SandboxSettings sandbox;
  private final Map<ModelTask, String> scoreSets;
  private final String modelCacheDir;

  /**
   * @param scoreSets the run's score set of each (model, task)
   * @param modelCacheDir where models on shared storage are staged (kansoku.inference.model-cache-dir)
   */
  public ScoreStage(ResultsStore store, List<ModelSpec> models, List<TaskSpec> tasks, SandboxSettings sandbox,
                    Map<ModelTask, String> scoreSets, String modelCacheDir) {
    this.modelCacheDir = modelCacheDir;
    this.store = store;
    this.models = List.copyOf(models);
    tasks.forEach(t -> this.tasks.put(t.id(), t));
    this.sandbox = sandbox;
    this.scoreSets = Map.copyOf(scoreSets);
  }

  /**
   * The pairs to score: those whose responses changed in this run ({@code changed}: they had missing requests) and
   * those whose score set has no example scores yet; the others keep theirs, so a re-run or a nightly run with one
   * new model scores only what is new. (Scoring rules are part of the task version, as prompts are: a changed
   * metric or post-processing needs a version bump, which makes every pair new.)
   */
  public Set<ModelTask> pairsToScore(Set<ModelTask> changed) {
    Set<ModelTask> toScore = new HashSet<>(changed);
    Set<Map.Entry<ModelTask, String>> scored = new HashSet<>();
    for (Row r : store.read(TableSchemas.EXAMPLE_SCORES)
        .select(ExampleScoreRow.MODEL_ID, ExampleScoreRow.TASK_ID, ExampleScoreRow.SCORE_SET).distinct().collectAsList()) {
      scored.add(Map.entry(new ModelTask(r.getString(0), r.getString(1)), r.isNullAt(2) ? ScoreSets.LEGACY : r.getString(2)));
    }
    scoreSets.forEach((pair, set) -> {
      if (!scored.contains(Map.entry(pair, set))) {
        toScore.add(pair);
      }
    });
    LOG.info("scoring {} of {} (model, task) pairs (the others are unchanged)", toScore.size(), models.size() * tasks.size());
    return toScore;
  }

  /** Scores the examples of {@code pairs} from {@code planned} (requests rows of the run) and their responses. */
  public void score(Dataset<Row> planned, Set<ModelTask> pairs) {
    if (pairs.isEmpty()) {
      return;
    }
    Dataset<Row> mine = KeyFilter.keep(planned, pairs.stream().map(p -> List.of(p.modelId(), p.taskId())).toList(), RequestRow.MODEL_ID,
        RequestRow.TASK_ID);
    Dataset<Row> responses = store.read(TableSchemas.RESPONSES).where(col(ResponseRow.ERROR).isNull())
        .dropDuplicates(ResponseRow.REQUEST_ID)
        .select(col(ResponseRow.REQUEST_ID).as(RESPONSE_ID), col(ResponseRow.LOGLIKELIHOOD), col(ResponseRow.IS_GREEDY),
            col(ResponseRow.GENERATED_TEXT), lit(true).as(ANSWERED));
    Dataset<Row> joined = mine
        .withColumn(EXPECTED_RESPONSES, count(lit(1))
            .over(Window.partitionBy(RequestRow.MODEL_ID, RequestRow.TASK_ID, RequestRow.EXAMPLE_ID)).cast("int"))
        .join(responses, mine.col(RequestRow.REQUEST_ID).equalTo(responses.col(RESPONSE_ID)), "left");
    // the execute stage: code samples run in sandboxes, in parallel within each task
    Dataset<Row> executed = joined.mapPartitions(new ExecuteCodeSamples(tasks, sandbox, joined.schema()),
        Encoders.row(ExecuteCodeSamples.schema(joined.schema())));
    Dataset<Row> exampleScores = executed
        // the shuffle key of one example of one model (a string: Spark groups and orders it natively)
        .groupByKey((MapFunction<Row, String>) r -> r.getAs(RequestRow.MODEL_ID) + "\u0000" + r.getAs(RequestRow.TASK_ID) + "\u0000"
            + r.getAs(RequestRow.EXAMPLE_ID), Encoders.STRING())
        .flatMapGroups(new ScoreExamples(tasks, scoreSets, tokenModels(), modelCacheDir), Encoders.row(TableSchemas.schema(TableSchemas.EXAMPLE_SCORES)));
    store.overwritePartitions(TableSchemas.EXAMPLE_SCORES, exampleScores);
  }

  /** Model id → model, for metrics scored on the model's own tokens (only when a task asks for one). */
  private Map<String, ModelSpec> tokenModels() {
    Map<String, ModelSpec> dirs = new LinkedHashMap<>();
    if (tasks.values().stream().anyMatch(t -> Metrics.needModelTokens(t.metrics()))) {
      models.forEach(m -> dirs.put(m.id(), m));
    }
    return dirs;
  }
}
