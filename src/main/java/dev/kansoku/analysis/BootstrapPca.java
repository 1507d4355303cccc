package dev.kansoku.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * Bootstrap over models: each replicate resamples the models with replacement, refits the PCA and aligns
 * every component's sign with the full-data loadings (so a flipped eigenvector is not counted as a
 * different answer). Replicates run as Spark tasks; the 2.5th and 97.5th percentiles give 95 % intervals
 * of the explained variance ratios and loadings. Replicate r uses seed {@code seed + r}, so results do not
 * depend on partitioning.
 */
public final class BootstrapPca {
  private BootstrapPca() {}

  /** Flattened replicate output: k ratios, then p×k loadings. */
  static double[] replicate(double[][] x, boolean standardize, double[][] reference, int k, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int n = x.length;
    double[][] sample = new double[n][];
    for (int i = 0; i < n; i++) {
      sample[i] = x[rnd.nextInt(n)];
    }
    PlainPca.Result r = PlainPca.fit(PlainPca.standardize(sample, standardize));
    int p = reference.length;
    double[] out = new double[k + p * k];
    double[] evr = r.explainedVarianceRatio();
    for (int c = 0; c < k; c++) {
      out[c] = evr[c];
      double dot = 0;
      for (int t = 0; t < p; t++) {
        dot += r.loadings()[t][c] * reference[t][c];
      }
      double sign = dot < 0 ? -1 : 1;
      for (int t = 0; t < p; t++) {
        out[k + t * k + c] = sign * r.loadings()[t][c];
      }
    }
    return out;
  }

  public static PcaResult withIntervals(SparkSession spark, ScoreMatrix m, PcaResult full, boolean standardize,
                                        int replicates, long seed) {
    if (replicates <= 0) {
      return full;
    }
    int p = full.tasks().size();
    int k = full.explainedVarianceRatio().length;
    double[][] x = m.values();
    double[][] reference = full.loadings();
    List<Integer> ids = IntStream.range(0, replicates).boxed().toList();
    int partitions = Math.max(1, Math.min(replicates, spark.sparkContext().defaultParallelism() * 2));
    MapPartitionsFunction<Integer, double[]> run = (Iterator<Integer> it) -> {
      List<double[]> out = new ArrayList<>();
      while (it.hasNext()) {
        out.add(replicate(x, standardize, reference, k, seed + it.next()));
      }
      return out.iterator();
    };
    List<double[]> results = spark.createDataset(ids, Encoders.INT()).repartition(partitions)
        .mapPartitions(run, Encoders.kryo(double[].class)).collectAsList();
    double[][] evr = new double[k][];
    double[][][] loading = new double[p][k][];
    for (int c = 0; c < k; c++) {
      final int cc = c;
      evr[c] = interval(results.stream().mapToDouble(v -> v[cc]).toArray());
      for (int t = 0; t < p; t++) {
        final int idx = k + t * k + c;
        loading[t][c] = interval(results.stream().mapToDouble(v -> v[idx]).toArray());
      }
    }
    return full.withIntervals(evr, loading);
  }

  /** 2.5th and 97.5th percentiles (linear interpolation between order statistics). */
  static double[] interval(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return new double[] {quantile(s, 0.025), quantile(s, 0.975)};
  }

  private static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
