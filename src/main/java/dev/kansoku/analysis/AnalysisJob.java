package dev.kansoku.analysis;

import static org.apache.spark.sql.functions.col;

import dev.kansoku.config.AnalysisSettings;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.results.ModelTask;
import dev.kansoku.results.ResultsStore;
import dev.kansoku.results.ScoreSets;
import dev.kansoku.results.StoredFiles;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.results.TaskScoreRow;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyze job: published and evaluated task scores → score matrix → PCA (MLlib; standardised and
 * centred variants, bootstrap intervals) → compute-scaling regressions → task correlations → Parquet
 * tables, {@code summary.json} and {@code report/index.html} under the analysis output directory.
 */
public final class AnalysisJob {
  private static final Logger LOG = LoggerFactory.getLogger(AnalysisJob.class);
  public static final List<String> TABLES = List.of(ExplainedVarianceRow.TABLE, LoadingRow.TABLE, PcaScoreRow.TABLE,
      RegressionRow.TABLE, TaskCorrelationRow.TABLE);
  private final SparkSession spark;
  private final AnalysisSettings settings;
  private final String resultsDir;
  private final Map<String, ModelSpec> registry;

  public AnalysisJob(SparkSession spark, AnalysisSettings settings, String resultsDir, Map<String, ModelSpec> registry) {
    this.spark = spark;
    this.settings = settings;
    this.resultsDir = resultsDir;
    this.registry = registry;
  }

  public AnalysisOutcome run() throws IOException {
    String runId = "analysis-" + System.currentTimeMillis();
    List<String> notes = new ArrayList<>();
    StoredFiles.requireReachable(spark.sparkContext().hadoopConfiguration(), resultsDir);
    ResultsStore results = new ResultsStore(spark, resultsDir);
    if (settings.includePublished()) {
      PublishedScores.Loaded published = PublishedScores.load(Path.of(settings.publishedScores()));
      notes.addAll(published.problems());
      registerPublished(results, published.cells(), runId);
    }
    List<ScoreCell> cells = readCells(results, notes);
    List<String> expected = settings.includePublished()
        ? TaskCatalog.SWALLOW.stream().map(TaskCatalog.TaskInfo::id).toList() : List.of();
    ScoreMatrix raw = ScoreMatrix.build(cells, expected, settings.prefer(), settings.preferByModel());
    ScoreMatrix matrix = raw.complete(settings.minCoverage(), settings.missing(), settings.imputationComponents());
    notes.addAll(matrix.notes());
    if (matrix.models().size() < 3 || matrix.tasks().size() < 2) {
      throw new IllegalArgumentException("the score matrix has " + matrix.models().size() + " model(s) and "
          + matrix.tasks().size() + " task(s) after cleaning; PCA needs at least 3 models and 2 tasks ("
          + String.join("; ", notes) + ")");
    }
    for (String m : matrix.models()) {
      if (!registry.containsKey(m)) {
        notes.add("model " + m + " has no entry in conf/models: no origin or compute, excluded from regressions");
      }
    }
    LOG.info("score matrix: {} models × {} tasks ({} imputed cells)", matrix.models().size(), matrix.tasks().size(), matrix.imputed().size());
    PcaResult primary = MllibPca.fit(spark, matrix, settings.standardize());
    PcaResult secondary = MllibPca.fit(spark, matrix, !settings.standardize());
    primary = BootstrapPca.withIntervals(spark, matrix, primary, settings.standardize(), settings.bootstrap(), settings.seed());
    List<RegressionFit> fits = ComputeScalingRegressions.fit(spark, primary, registry, settings.regressionComponents(), notes);
    TaskCorrelations.Result correlations = TaskCorrelations.compute(spark, matrix);

    String out = settings.outputDir();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    StoredFiles.mkdirs(hadoop, out);
    ResultsStore store = new ResultsStore(spark, out);
    AnalysisTables tables = new AnalysisTables(registry, settings.components());
    store.replace(ExplainedVarianceRow.TABLE, tables.explainedVariance(primary, secondary), runId);
    store.replace(LoadingRow.TABLE, tables.loadings(primary, secondary), runId);
    store.replace(PcaScoreRow.TABLE, tables.scores(primary, secondary), runId);
    store.replace(RegressionRow.TABLE, tables.regressions(fits), runId);
    store.replace(TaskCorrelationRow.TABLE, tables.correlations(correlations), runId);
    AnalysisSummaryJson.write(hadoop, StoredFiles.child(out, "summary.json"), matrix, primary, settings, fits, notes);
    String report = null;
    if (settings.report()) {
      report = new AnalysisReport(registry).write(hadoop, StoredFiles.child(out, "report"), matrix, primary, fits, correlations, notes);
    }
    return new AnalysisOutcome(out, matrix, primary, secondary, fits, correlations, notes, report);
  }

  /** Published scores become task_scores rows with source = published, replacing earlier published rows. */
  private void registerPublished(ResultsStore results, List<ScoreCell> published, String runId) {
    List<Row> rows = new ArrayList<>(results.read(TableSchemas.TASK_SCORES)
        .where(col(TaskScoreRow.SOURCE).notEqual(TaskScoreRow.PUBLISHED)).collectAsList());
    Timestamp now = new Timestamp(System.currentTimeMillis());
    for (ScoreCell c : published) {
      rows.add(new TaskScoreRow(c.modelId(), c.taskId(), TaskScoreRow.PUBLISHED, TaskCatalog.matrixMetric(c.taskId(), "score"),
          c.value(), null, null, TaskScoreRow.PUBLISHED, now, ScoreSets.PUBLISHED, null, null, null, null).toRow());
    }
    results.replace(TableSchemas.TASK_SCORES, rows, runId);
  }

  /** Matrix cells from task_scores: each task's matrix metric, published and/or evaluated as configured. */
  private List<ScoreCell> readCells(ResultsStore results, List<String> notes) {
    List<ScoreCell> cells = new ArrayList<>();
    Map<ModelTask, TreeMap<String, TaskScoreRow>> evaluatedMetrics = new LinkedHashMap<>();
    // the current score set of each (model, task); earlier sets are history (task_scores_history)
    org.apache.spark.sql.Dataset<Row> taskScores = results.read(TableSchemas.TASK_SCORES);
    for (Row row : ScoreSets.current(taskScores, taskScores).collectAsList()) {
      TaskScoreRow r = TaskScoreRow.from(row);
      if (TaskScoreRow.PUBLISHED.equals(r.source()) && settings.includePublished()) {
        cells.add(new ScoreCell(r.modelId(), r.taskId(), r.value(), r.source()));
      } else if (TaskScoreRow.EVALUATED.equals(r.source()) && settings.includeEvaluated()) {
        evaluatedMetrics.computeIfAbsent(r.pair(), k -> new TreeMap<>()).put(r.metric(), r);
      }
    }
    java.util.Set<String> excluded = new java.util.TreeSet<>();
    for (TreeMap<String, TaskScoreRow> metrics : evaluatedMetrics.values()) {
      TaskScoreRow any = metrics.firstEntry().getValue();
      ModelSpec spec = registry.get(any.modelId());
      if (spec != null && settings.excludeOrigins().contains(spec.origin())) {
        excluded.add(spec.id() + " (origin " + spec.origin() + ")");
        continue;
      }
      String task = any.taskId();
      TaskScoreRow chosen = metrics.getOrDefault(TaskCatalog.matrixMetric(task, metrics.firstKey()), any);
      cells.add(new ScoreCell(chosen.modelId(), task, chosen.value(), TaskScoreRow.EVALUATED));
    }
    for (String m : excluded) {
      notes.add("evaluated model " + m + " left out of the score matrix (kansoku.analysis.exclude-origins)");
    }
    return cells;
  }
}
