package dev.kansoku.analysis;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.stat.Correlation;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Pearson and Spearman correlations between tasks over models, with MLlib's {@code Correlation}. */
public final class TaskCorrelations {
  /** pearson[a][b], spearman[a][b] over {@code n} models. */
  public record Result(List<String> tasks, double[][] pearson, double[][] spearman, int n) {}

  private TaskCorrelations() {}

  public static Result compute(SparkSession spark, ScoreMatrix m) {
    StructType schema = new StructType().add("features", new VectorUDT(), false);
    List<Row> rows = new ArrayList<>();
    for (double[] r : m.values()) {
      rows.add(RowFactory.create(Vectors.dense(r)));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    return new Result(m.tasks(), toArray(Correlation.corr(df, "features", "pearson")),
        toArray(Correlation.corr(df, "features", "spearman")), m.models().size());
  }

  private static double[][] toArray(Dataset<Row> corr) {
    Matrix c = (Matrix) corr.head().get(0);
    double[][] out = new double[c.numRows()][c.numCols()];
    for (int i = 0; i < c.numRows(); i++) {
      for (int j = 0; j < c.numCols(); j++) {
        out[i][j] = c.apply(i, j);
      }
    }
    return out;
  }
}
