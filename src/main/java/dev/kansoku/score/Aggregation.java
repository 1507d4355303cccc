package dev.kansoku.score;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import dev.kansoku.metric.AggregateState;
import dev.kansoku.metric.Metrics;
import dev.kansoku.results.ExampleScoreRow;
import dev.kansoku.results.ModelTask;
import dev.kansoku.results.ResultsStore;
import dev.kansoku.results.SubsetScoreRow;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.results.TaskScoreRow;
import dev.kansoku.task.TaskPlan;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregate step of the score stage: the task scores of this run's score sets, merged into
 * {@code task_scores} beside every other set, and per-subject scores likewise into {@code subset_scores}. Means
 * (with the standard error of the mean) are Spark aggregates; corpus metrics (BLEU, the JP harness' ROUGE-2) are
 * merged from the examples' rows by each metric's {@link AggregateState}.
 */
public final class Aggregation {
  private static final Logger LOG = LoggerFactory.getLogger(Aggregation.class);
  private static final String MEAN = "_mean";
  private static final String MEAN_STDERR = "_stderr";
  private static final String COUNT = "_n";

  private final ResultsStore store;
  private final String runId;
  private final Map<ModelTask, String> scoreSets;
  private final Map<String, TaskPlan> plansByTask;
  private final Map<String, String> revisions;

  /**
   * @param scoreSets this run's score set of each (model, task): only these are aggregated
   * @param plansByTask the run's plan of each task (examples planned, dataset fingerprint)
   * @param revisions the result revision of each model id
   */
  public Aggregation(ResultsStore store, String runId, Map<ModelTask, String> scoreSets,
                     Map<String, TaskPlan> plansByTask, Map<String, String> revisions) {
    this.store = store;
    this.runId = runId;
    this.scoreSets = Map.copyOf(scoreSets);
    this.plansByTask = Map.copyOf(plansByTask);
    this.revisions = new LinkedHashMap<>(revisions);
  }

  /** Writes both score tables; returns this run's task scores (in model, task, metric order). */
  public List<TaskScoreRow> run() {
    // this run's score sets only: other sets of the same (model, task) are history and stay as they are
    List<List<String>> sets = new ArrayList<>();
    scoreSets.forEach((pair, set) -> sets.add(List.of(pair.modelId(), pair.taskId(), set)));
    Dataset<Row> mine = KeyFilter.keep(store.read(TableSchemas.EXAMPLE_SCORES), sets, ExampleScoreRow.MODEL_ID, ExampleScoreRow.TASK_ID,
        ExampleScoreRow.SCORE_SET);
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<TaskScoreRow> fresh = taskScores(mine, now);
    mergeTaskScores(fresh);
    writeSubsetScores(mine.where(col(ExampleScoreRow.SUBSET).isNotNull()), now);
    return fresh;
  }

  private List<TaskScoreRow> taskScores(Dataset<Row> mine, Timestamp now) {
    // corpus metrics need every segment's statistics on the driver: a few numbers per example
    // (in the order the table is read, which fixes BLEU's bootstrap draws for a given table)
    Map<Map.Entry<ModelTask, String>, AggregateState> corpusStates = new LinkedHashMap<>();
    for (Row row : mine.where(col(ExampleScoreRow.METRIC).isin(Metrics.corpusMetrics().toArray())).collectAsList()) {
      ExampleScoreRow r = ExampleScoreRow.from(row);
      corpusStates.computeIfAbsent(Map.entry(new ModelTask(r.modelId(), r.taskId()), r.metric()), k -> Metrics.named(r.metric()).newState())
          .add(r.exampleId(), r.value(), r.detail());
    }
    List<TaskScoreRow> fresh = new ArrayList<>();
    for (Row r : means(mine, ExampleScoreRow.MODEL_ID, ExampleScoreRow.TASK_ID, ExampleScoreRow.TASK_VERSION, ExampleScoreRow.METRIC)) {
      ModelTask pair = new ModelTask(r.getAs(ExampleScoreRow.MODEL_ID), r.getAs(ExampleScoreRow.TASK_ID));
      String metric = r.getAs(ExampleScoreRow.METRIC);
      TaskPlan plan = plansByTask.get(pair.taskId());
      double value = r.getAs(MEAN);
      Double stderr = stderr(r);
      AggregateState corpus = corpusStates.get(Map.entry(pair, metric));
      if (corpus != null) {
        AggregateState.Result c = corpus.result((int) plan.rows().eval());
        value = c.value();
        stderr = c.stderr();
      }
      long n = r.getAs(COUNT);
      fresh.add(new TaskScoreRow(pair.modelId(), pair.taskId(), r.getAs(ExampleScoreRow.TASK_VERSION), metric, value, stderr, n,
          TaskScoreRow.EVALUATED, now, scoreSets.get(pair), revisions.get(pair.modelId()), plan.fingerprint().dataset(),
          (long) plan.examples(), n >= plan.examples()));
    }
    return fresh;
  }

  /** A task score's identity within task_scores: its score set and metric. */
  private record TaskScoreKey(ModelTask pair, String scoreSet, String metric) {
    static TaskScoreKey of(TaskScoreRow r) {
      return new TaskScoreKey(r.pair(), r.scoreSet(), r.metric());
    }
  }

  private void mergeTaskScores(List<TaskScoreRow> fresh) {
    Map<TaskScoreKey, TaskScoreRow> freshByKey = new LinkedHashMap<>();
    fresh.forEach(r -> freshByKey.put(TaskScoreKey.of(r), r));
    List<Row> table = new ArrayList<>();
    for (Row row : store.read(TableSchemas.TASK_SCORES).collectAsList()) {
      TaskScoreRow old = TaskScoreRow.from(row);
      TaskScoreKey key = TaskScoreKey.of(old);
      TaskScoreRow replacement = TaskScoreRow.EVALUATED.equals(old.source()) ? freshByKey.get(key) : null;
      if (replacement != null && old.n() != null && old.n() > replacement.n()) {
        // the same set scored over fewer examples (requests failed this time): the earlier, fuller scores stay
        LOG.warn("keeping {} {} {}: {} examples scored before, {} now", old.modelId(), old.taskId(), old.metric(), old.n(),
            replacement.n());
        freshByKey.remove(key);
        replacement = null;
      }
      if (replacement == null) {
        table.add(row);
      }
    }
    freshByKey.values().forEach(r -> table.add(r.toRow()));
    store.replace(TableSchemas.TASK_SCORES, table, runId);
  }

  /** A subset score's identity within subset_scores. */
  private record SubsetScoreKey(ModelTask pair, String scoreSet, String subset, String metric) {
    static SubsetScoreKey of(SubsetScoreRow r) {
      return new SubsetScoreKey(new ModelTask(r.modelId(), r.taskId()), r.scoreSet(), r.subset(), r.metric());
    }
  }

  private void writeSubsetScores(Dataset<Row> withSubjects, Timestamp now) {
    Map<SubsetScoreKey, SubsetScoreRow> fresh = new LinkedHashMap<>();
    for (Row r : means(withSubjects.where(col(ExampleScoreRow.METRIC).isin(Metrics.corpusMetrics().toArray()).unary_$bang()),
        ExampleScoreRow.MODEL_ID, ExampleScoreRow.TASK_ID, ExampleScoreRow.TASK_VERSION, ExampleScoreRow.SUBSET, ExampleScoreRow.METRIC)) {
      ModelTask pair = new ModelTask(r.getAs(ExampleScoreRow.MODEL_ID), r.getAs(ExampleScoreRow.TASK_ID));
      SubsetScoreRow s = new SubsetScoreRow(pair.modelId(), pair.taskId(), r.getAs(ExampleScoreRow.TASK_VERSION),
          r.getAs(ExampleScoreRow.SUBSET), r.getAs(ExampleScoreRow.METRIC), r.<Double>getAs(MEAN), stderr(r), r.getAs(COUNT), now,
          scoreSets.get(pair), revisions.get(pair.modelId()), plansByTask.get(pair.taskId()).fingerprint().dataset(), null, null);
      fresh.put(SubsetScoreKey.of(s), s);
    }
    List<Row> table = new ArrayList<>();
    for (Row old : store.read(TableSchemas.SUBSET_SCORES).collectAsList()) {
      if (!fresh.containsKey(SubsetScoreKey.of(SubsetScoreRow.from(old)))) {
        table.add(old);
      }
    }
    fresh.values().forEach(s -> table.add(s.toRow()));
    store.replace(TableSchemas.SUBSET_SCORES, table, runId);
  }

  /** Mean, standard error of the mean and n per group of {@code keys}, in key order. */
  private static List<Row> means(Dataset<Row> scores, String... keys) {
    Column[] by = Arrays.stream(keys).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    return scores.groupBy(by)
        .agg(avg(ExampleScoreRow.VALUE).as(MEAN),
            expr("stddev_samp(" + ExampleScoreRow.VALUE + ") / sqrt(count(*))").as(MEAN_STDERR),
            count(lit(1)).as(COUNT))
        .orderBy(by)
        .collectAsList();
  }

  /** The standard error, or null where it is undefined (one example). */
  private static Double stderr(Row r) {
    Object v = r.getAs(MEAN_STDERR);
    return v == null || Double.isNaN((Double) v) ? null : (Double) v;
  }
}
