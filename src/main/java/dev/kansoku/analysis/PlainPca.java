package dev.kansoku.analysis;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * PCA by eigen-decomposition of the covariance matrix, in plain Java. Used where many small PCAs are
 * needed (bootstrap replicates inside Spark tasks, imputation iterations); the reported PCA runs on Spark
 * MLlib. Both use the same column scaling (sample standard deviation) and sign convention.
 */
public final class PlainPca {
  /** Eigenvalues (descending) and unit eigenvectors as columns: loadings[task][component]. */
  public record Result(double[] eigenvalues, double[][] loadings) {
    public double[] explainedVarianceRatio() {
      double total = 0;
      for (double e : eigenvalues) {
        total += Math.max(e, 0);
      }
      double[] out = new double[eigenvalues.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = Math.max(eigenvalues[i], 0) / total;
      }
      return out;
    }
  }

  private PlainPca() {}

  /** Centres (and, if asked, scales to unit sample standard deviation) the columns of {@code x}. */
  public static double[][] standardize(double[][] x, boolean scale) {
    int n = x.length;
    int p = x[0].length;
    double[][] z = new double[n][p];
    for (int j = 0; j < p; j++) {
      double mean = 0;
      for (double[] row : x) {
        mean += row[j];
      }
      mean /= n;
      double ss = 0;
      for (double[] row : x) {
        ss += (row[j] - mean) * (row[j] - mean);
      }
      double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
      for (int i = 0; i < n; i++) {
        double c = x[i][j] - mean;
        z[i][j] = scale ? (sd > 0 ? c / sd : 0) : c;
      }
    }
    return z;
  }

  /** PCA of already centred data {@code z}, components oriented by {@link #orient}. */
  public static Result fit(double[][] z) {
    int n = z.length;
    int p = z[0].length;
    double[][] cov = new double[p][p];
    for (double[] row : z) {
      for (int a = 0; a < p; a++) {
        for (int b = a; b < p; b++) {
          cov[a][b] += row[a] * row[b];
        }
      }
    }
    for (int a = 0; a < p; a++) {
      for (int b = a; b < p; b++) {
        cov[a][b] /= Math.max(1, n - 1);
        cov[b][a] = cov[a][b];
      }
    }
    EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
    double[] values = eig.getRealEigenvalues();
    Integer[] order = new Integer[p];
    for (int i = 0; i < p; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    RealMatrix vectors = eig.getV();
    double[] sorted = new double[p];
    double[][] loadings = new double[p][p];
    for (int c = 0; c < p; c++) {
      sorted[c] = values[order[c]];
      for (int t = 0; t < p; t++) {
        loadings[t][c] = vectors.getEntry(t, order[c]);
      }
    }
    orient(loadings);
    return new Result(sorted, loadings);
  }

  /**
   * The sign convention: each component is flipped so that the sum of its loadings is positive. PC1 (the
   * general factor) then correlates positively with the mean score, and runs are comparable night to night.
   */
  public static void orient(double[][] loadings) {
    int k = loadings[0].length;
    for (int c = 0; c < k; c++) {
      double sum = 0;
      for (double[] row : loadings) {
        sum += row[c];
      }
      if (sum < 0) {
        for (double[] row : loadings) {
          row[c] = -row[c];
        }
      }
    }
  }
}
