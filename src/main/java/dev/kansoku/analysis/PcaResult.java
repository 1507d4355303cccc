package dev.kansoku.analysis;

import java.util.List;

/**
 * One PCA variant over a score matrix: explained variance ratio of every component (PC1 first),
 * loadings[task][component] and scores[model][component], oriented by {@link PlainPca#orient}. The
 * interval arrays are bootstrap 95 % percentile intervals, or null when no bootstrap was run.
 */
public record PcaResult(
    String variant,
    List<String> models,
    List<String> tasks,
    double[] explainedVarianceRatio,
    double[][] loadings,
    double[][] scores,
    double[][] evrInterval,
    double[][][] loadingInterval) {

  public static String name(int component) {
    return "PC" + (component + 1);
  }

  public PcaResult withIntervals(double[][] evr, double[][][] loading) {
    return new PcaResult(variant, models, tasks, explainedVarianceRatio, loadings, scores, evr, loading);
  }
}
