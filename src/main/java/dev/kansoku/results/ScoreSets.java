package dev.kansoku.results;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import dev.kansoku.config.ModelSpec;
import dev.kansoku.config.TaskSpec;
import dev.kansoku.task.RequestId;
import dev.kansoku.task.TaskPlan;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Score sets: the scores of one (model, task) keyed by everything that produced them, so results are history.
 * A run over changed data, another example set (a --limit run), a new model revision, task version or metric
 * version gets a new set, written beside the earlier ones; the default views show, per (model, task), the
 * latest complete set (else the latest one), and the {@code *_history} views every set.
 */
public final class ScoreSets {
  /** Bumped when the computation of an example or task score changes (not its prompt: that is the task version). */
  public static final String METRIC_VERSION = "kansoku-metrics-2";
  /** The set of scores written before score sets existed (moved into this partition on the first run). */
  public static final String LEGACY = "legacy";
  public static final String PUBLISHED = TaskScoreRow.PUBLISHED;

  private ScoreSets() {}

  /** A score set's id: 16 hex digits of SHA-256 over what produced it. */
  public static String id(ModelSpec model, TaskSpec task, TaskPlan.Fingerprint plan) {
    return RequestId.sha256(String.join("\u0000", model.id(), model.resultRevision(), task.id(), task.version(), plan.dataset(),
        plan.examples(), METRIC_VERSION, task.metrics().toString(), task.answer().toString())).substring(0, 16);
  }

  /**
   * The current rows of a score table (task_scores, subset_scores or example_scores): per (model, task), the rows
   * of the set chosen from {@code taskScores} — complete sets before incomplete ones, then the latest. Published
   * scores are kept as they are.
   */
  public static Dataset<Row> current(Dataset<Row> table, Dataset<Row> taskScores) {
    Dataset<Row> chosen = chosenSets(taskScores);
    // task_scores also holds published rows (no score set of their own): they pass through
    boolean withPublished = java.util.Arrays.asList(table.columns()).contains(TaskScoreRow.SOURCE);
    Dataset<Row> withSet = table.withColumn("_set", coalesce(col(TaskScoreRow.SCORE_SET), lit(LEGACY)));
    Dataset<Row> evaluated = withPublished ? withSet.where(col(TaskScoreRow.SOURCE).notEqual(TaskScoreRow.PUBLISHED)) : withSet;
    Dataset<Row> kept = evaluated.join(chosen, evaluated.col(TaskScoreRow.MODEL_ID).equalTo(chosen.col("c_model"))
            .and(evaluated.col(TaskScoreRow.TASK_ID).equalTo(chosen.col("c_task"))).and(evaluated.col("_set").equalTo(chosen.col("c_set"))), "left_semi")
        .drop("_set");
    return withPublished ? kept.unionByName(table.where(col(TaskScoreRow.SOURCE).equalTo(TaskScoreRow.PUBLISHED))) : kept;
  }

  /** (c_model, c_task, c_set): the set each evaluated (model, task) shows by default. */
  static Dataset<Row> chosenSets(Dataset<Row> taskScores) {
    Dataset<Row> sets = taskScores.where(col(TaskScoreRow.SOURCE).equalTo(TaskScoreRow.EVALUATED))
        .select(col(TaskScoreRow.MODEL_ID).as("c_model"), col(TaskScoreRow.TASK_ID).as("c_task"),
            coalesce(col(TaskScoreRow.SCORE_SET), lit(LEGACY)).as("c_set"),
            coalesce(col(TaskScoreRow.COMPLETE), lit(true)).as("c_complete"), col(TaskScoreRow.COMPUTED_AT).as("c_at"))
        .distinct();
    return sets.withColumn("_rank", row_number().over(Window.partitionBy("c_model", "c_task")
            .orderBy(col("c_complete").desc(), col("c_at").desc(), col("c_set"))))
        .where(col("_rank").equalTo(1))
        .select("c_model", "c_task", "c_set");
  }
}
