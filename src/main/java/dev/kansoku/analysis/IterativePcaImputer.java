package dev.kansoku.analysis;

/**
 * Iterative PCA imputation: standardise each task on its observed cells, start missing cells at the task
 * mean, then repeatedly reconstruct the matrix from its first {@code k} principal components and replace
 * only the missing cells, until they move less than {@code tol} (in standard-deviation units).
 */
public final class IterativePcaImputer {
  /** The completed matrix on the original scale and the iterations used. */
  public record Result(double[][] values, int iterations) {}

  private IterativePcaImputer() {}

  public static Result impute(double[][] x, int k, int maxIterations, double tol) {
    int n = x.length;
    int p = x[0].length;
    double[] mean = new double[p];
    double[] sd = new double[p];
    for (int j = 0; j < p; j++) {
      double s = 0;
      int c = 0;
      for (double[] row : x) {
        if (!Double.isNaN(row[j])) {
          s += row[j];
          c++;
        }
      }
      mean[j] = s / c;
      double ss = 0;
      for (double[] row : x) {
        if (!Double.isNaN(row[j])) {
          ss += (row[j] - mean[j]) * (row[j] - mean[j]);
        }
      }
      sd[j] = c > 1 && ss > 0 ? Math.sqrt(ss / (c - 1)) : 1;
    }
    double[][] z = new double[n][p];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < p; j++) {
        z[i][j] = Double.isNaN(x[i][j]) ? 0 : (x[i][j] - mean[j]) / sd[j];
      }
    }
    int components = Math.max(1, Math.min(k, p));
    int it = 0;
    for (; it < maxIterations; it++) {
      // centre the current completion, fit, reconstruct
      double[] colMean = new double[p];
      for (double[] row : z) {
        for (int j = 0; j < p; j++) {
          colMean[j] += row[j] / n;
        }
      }
      double[][] centred = new double[n][p];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < p; j++) {
          centred[i][j] = z[i][j] - colMean[j];
        }
      }
      PlainPca.Result pca = PlainPca.fit(centred);
      double change = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < p; j++) {
          if (!Double.isNaN(x[i][j])) {
            continue;
          }
          double rec = colMean[j];
          for (int c = 0; c < components; c++) {
            double score = 0;
            for (int t = 0; t < p; t++) {
              score += centred[i][t] * pca.loadings()[t][c];
            }
            rec += score * pca.loadings()[j][c];
          }
          change = Math.max(change, Math.abs(rec - z[i][j]));
          z[i][j] = rec;
        }
      }
      if (change < tol) {
        it++;
        break;
      }
    }
    double[][] out = new double[n][p];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < p; j++) {
        out[i][j] = Double.isNaN(x[i][j]) ? z[i][j] * sd[j] + mean[j] : x[i][j];
      }
    }
    return new Result(out, it);
  }
}
