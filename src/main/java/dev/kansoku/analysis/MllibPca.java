package dev.kansoku.analysis;

import dev.kansoku.results.TaskScoreRow;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The reported PCA, on Spark MLlib: {@code StandardScaler} (centre, and scale to unit sample standard
 * deviation for the standardised variant) then {@code PCA} with one component per task, so every explained
 * variance ratio is known. Components are oriented by the project's sign convention; model scores are the
 * projections of the scaled rows on the oriented components.
 */
public final class MllibPca {
  private MllibPca() {}

  public static PcaResult fit(SparkSession spark, ScoreMatrix m, boolean standardize) {
    StructType schema = new StructType()
        .add(TaskScoreRow.MODEL_ID, DataTypes.StringType, false)
        .add("features", new VectorUDT(), false);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < m.models().size(); i++) {
      rows.add(RowFactory.create(m.models().get(i), Vectors.dense(m.values()[i])));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    Dataset<Row> scaled = new StandardScaler().setInputCol("features").setOutputCol("z")
        .setWithMean(true).setWithStd(standardize).fit(df).transform(df);
    int p = m.tasks().size();
    int k = Math.min(p, Math.max(1, m.models().size()));
    PCAModel pca = new PCA().setInputCol("z").setOutputCol("pcs").setK(k).fit(scaled);
    DenseMatrix pc = pca.pc();
    double[][] loadings = new double[p][k];
    for (int t = 0; t < p; t++) {
      for (int c = 0; c < k; c++) {
        loadings[t][c] = pc.apply(t, c);
      }
    }
    double[][] before = copy(loadings);
    PlainPca.orient(loadings);
    double[] sign = new double[k];
    for (int c = 0; c < k; c++) {
      sign[c] = Math.signum(loadings[0][c]) == Math.signum(before[0][c]) ? 1 : -1;
    }
    double[][] scores = new double[m.models().size()][k];
    List<Row> projected = pca.transform(scaled).select(TaskScoreRow.MODEL_ID, "pcs").collectAsList();
    java.util.Map<String, Integer> index = new java.util.HashMap<>();
    for (int i = 0; i < m.models().size(); i++) {
      index.put(m.models().get(i), i);
    }
    for (Row r : projected) {
      double[] v = ((Vector) r.get(1)).toArray();
      int i = index.get(r.getString(0));
      for (int c = 0; c < k; c++) {
        scores[i][c] = sign[c] * v[c];
      }
    }
    return new PcaResult(standardize ? "standardized" : "centered", m.models(), m.tasks(),
        pca.explainedVariance().toArray(), loadings, scores, null, null);
  }

  private static double[][] copy(double[][] a) {
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
    }
    return out;
  }
}
