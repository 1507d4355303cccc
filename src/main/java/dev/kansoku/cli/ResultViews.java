package dev.kansoku.cli;

import dev.kansoku.analysis.AnalysisJob;
import dev.kansoku.analysis.TrainingCompute;
import dev.kansoku.config.ModelSpec;
import dev.kansoku.results.ResultsStore;
import dev.kansoku.results.ScoreSets;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.results.TaskScoreRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Registers every result and analysis table as a Spark SQL temporary view (an empty view with the declared
 * schema when a table has not been written yet, so queries never fail for that reason), plus a
 * {@code models} view of the model registry, for {@code kansoku sql} and notebooks.
 */
public final class ResultViews {
  private static final List<String> SCORE_TABLES = List.of(TableSchemas.EXAMPLE_SCORES, TableSchemas.TASK_SCORES, TableSchemas.SUBSET_SCORES);

  private ResultViews() {}

  public static List<String> register(SparkSession spark, String resultsDir, String analysisDir, Map<String, ModelSpec> registry) {
    List<String> views = new ArrayList<>();
    dev.kansoku.results.StoredFiles.requireReachable(spark.sparkContext().hadoopConfiguration(), resultsDir);
    ResultsStore results = new ResultsStore(spark, resultsDir);
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> taskScores = results.read(TableSchemas.TASK_SCORES);
    for (String t : TableSchemas.ALL) {
      if (SCORE_TABLES.contains(t)) {
        // the default view: each (model, task)'s current score set; <table>_history: every set ever computed
        ScoreSets.current(results.read(t), taskScores).createOrReplaceTempView(t);
        results.read(t).createOrReplaceTempView(t + "_history");
        views.add(t);
        views.add(t + "_history");
      } else {
        results.read(t).createOrReplaceTempView(t);
        views.add(t);
      }
    }
    ResultsStore analysis = new ResultsStore(spark, analysisDir);
    for (String t : AnalysisJob.TABLES) {
      analysis.read(t).createOrReplaceTempView(t);
      views.add(t);
    }
    spark.createDataFrame(modelRows(registry), MODELS).createOrReplaceTempView("models");
    views.add("models");
    return views;
  }

  static final StructType MODELS = new StructType()
      .add(TaskScoreRow.MODEL_ID, DataTypes.StringType, false)
      .add("name", DataTypes.StringType, true)
      .add("origin", DataTypes.StringType, true)
      .add("base_model", DataTypes.StringType, true)
      .add("parameters", DataTypes.DoubleType, true)
      .add("parameters_active", DataTypes.DoubleType, true)
      .add("tokens_total", DataTypes.DoubleType, true)
      .add("tokens_ja", DataTypes.DoubleType, true)
      .add("tokens_en", DataTypes.DoubleType, true)
      .add("log10_compute_ja", DataTypes.DoubleType, true)
      .add("log10_compute_en", DataTypes.DoubleType, true)
      .add("log10_compute_total", DataTypes.DoubleType, true)
      .add("evaluable", DataTypes.BooleanType, false)
      .add("registry_file", DataTypes.StringType, true);

  private static List<Row> modelRows(Map<String, ModelSpec> registry) {
    List<Row> rows = new ArrayList<>();
    for (ModelSpec m : registry.values()) {
      rows.add(RowFactory.create(m.id(), m.name(), m.origin(), m.baseModel(), m.parameters(), m.parametersActive(),
          m.trainingTokensTotal(), m.trainingTokensJa(), m.trainingTokensEn(),
          orNull(TrainingCompute.log10(m, TrainingCompute.Predictor.JA)),
          orNull(TrainingCompute.log10(m, TrainingCompute.Predictor.EN)),
          orNull(TrainingCompute.log10(m, TrainingCompute.Predictor.TOTAL)), m.evaluable(), m.sourceFile()));
    }
    return rows;
  }

  private static Double orNull(OptionalDouble v) {
    return v.isPresent() ? v.getAsDouble() : null;
  }
}
