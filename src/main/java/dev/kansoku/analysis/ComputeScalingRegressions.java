package dev.kansoku.analysis;

import dev.kansoku.config.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.regression.LinearRegressionTrainingSummary;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Factor scores against log10 training compute (Japanese, English, all tokens), overall and per origin
 * group, fitted with MLlib {@code LinearRegression} (normal equations, no regularisation) and read from its
 * training summary. 95 % intervals of the slope are analytic: slope ± t(0.975, n − 2) · standard error.
 * Models without the predictor (undisclosed tokens, no metadata) are excluded from that fit and listed.
 */
public final class ComputeScalingRegressions {
  public static final String ALL = "all";
  public static final List<String> ORIGINS = List.of("ja_from_scratch", "ja_continual", "en", "multilingual");
  private static final StructType SCHEMA = new StructType()
      .add("label", DataTypes.DoubleType, false)
      .add("features", new VectorUDT(), false);

  private ComputeScalingRegressions() {}

  /**
   * @param registry model metadata by id; models of the PCA missing from it are excluded and listed
   * @param notes receives one line per fit that could not be made
   */
  public static List<RegressionFit> fit(SparkSession spark, PcaResult pca, Map<String, ModelSpec> registry,
                                        int components, List<String> notes) {
    List<java.util.concurrent.Callable<RegressionFit>> jobs = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    int k = Math.min(components, pca.explainedVarianceRatio().length);
    for (int c = 0; c < k; c++) {
      for (TrainingCompute.Predictor p : TrainingCompute.Predictor.values()) {
        for (String group : groups()) {
          List<String> used = new ArrayList<>();
          List<String> excluded = new ArrayList<>();
          List<double[]> xy = new ArrayList<>();
          for (int i = 0; i < pca.models().size(); i++) {
            String id = pca.models().get(i);
            ModelSpec spec = registry.get(id);
            if (spec == null) {
              excluded.add(id + " (no metadata)");
              continue;
            }
            if (!group.equals(ALL) && !group.equals(spec.origin())) {
              continue;
            }
            OptionalDouble x = TrainingCompute.log10(spec, p);
            if (x.isEmpty()) {
              excluded.add(id);
              continue;
            }
            used.add(id);
            xy.add(new double[] {x.getAsDouble(), pca.scores()[i][c]});
          }
          String what = PcaResult.name(c) + " ~ " + p.column() + " [" + group + "]";
          if (xy.size() < 3) {
            if (group.equals(ALL)) {
              notes.add(what + ": only " + xy.size() + " model(s) with the predictor; no fit");
            }
            continue;
          }
          String component = PcaResult.name(c);
          jobs.add(() -> fitOne(spark, component, p.column(), group, xy, used, excluded));
          labels.add(what);
        }
      }
    }
    // each MLlib fit is a few small Spark jobs dominated by scheduling latency: submit them concurrently
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    List<RegressionFit> fits = new ArrayList<>();
    try {
      List<java.util.concurrent.Future<RegressionFit>> futures = pool.invokeAll(jobs);
      for (int i = 0; i < futures.size(); i++) {
        try {
          fits.add(futures.get(i).get());
        } catch (java.util.concurrent.ExecutionException e) {
          notes.add(labels.get(i) + ": fit failed: " + e.getCause().getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fitting regressions", e);
    } finally {
      pool.shutdown();
    }
    return fits;
  }

  private static List<String> groups() {
    List<String> g = new ArrayList<>();
    g.add(ALL);
    g.addAll(ORIGINS);
    return g;
  }

  private static RegressionFit fitOne(SparkSession spark, String component, String predictor, String group,
                                      List<double[]> xy, List<String> used, List<String> excluded) {
    List<Row> rows = new ArrayList<>();
    for (double[] v : xy) {
      rows.add(RowFactory.create(v[1], Vectors.dense(v[0])));
    }
    LinearRegressionModel model = new LinearRegression().setSolver("normal").setRegParam(0.0)
        .setFitIntercept(true).fit(spark.createDataFrame(rows, SCHEMA));
    LinearRegressionTrainingSummary summary = model.summary();
    int n = xy.size();
    double slope = model.coefficients().apply(0);
    double[] se = summary.coefficientStandardErrors();
    double t = new TDistribution(n - 2).inverseCumulativeProbability(0.975);
    double[] x = xy.stream().mapToDouble(v -> v[0]).toArray();
    double[] y = xy.stream().mapToDouble(v -> v[1]).toArray();
    double meanX = java.util.Arrays.stream(x).average().orElse(0);
    double sxx = java.util.Arrays.stream(x).map(v -> (v - meanX) * (v - meanX)).sum();
    double rss = 0;
    for (int i = 0; i < n; i++) {
      double r = y[i] - (model.intercept() + slope * x[i]);
      rss += r * r;
    }
    return new RegressionFit(component, predictor, group, n, slope, model.intercept(), summary.r2(),
        new PearsonsCorrelation().correlation(x, y), new SpearmansCorrelation().correlation(x, y),
        se[0], slope - t * se[0], slope + t * se[0], se[1], Math.sqrt(rss / (n - 2)), meanX, sxx,
        List.copyOf(used), List.copyOf(excluded));
  }

  /** Counts of fits by group, for the console. */
  public static Map<String, Integer> countByGroup(List<RegressionFit> fits) {
    Map<String, Integer> out = new LinkedHashMap<>();
    fits.forEach(f -> out.merge(f.group(), 1, Integer::sum));
    return out;
  }
}
