package dev.kansoku.analysis;

import dev.kansoku.bench.PeakMemory;
import dev.kansoku.config.ModelSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;

/**
 * Scale benchmark of the analysis on synthetic score matrices (three latent factors plus noise): times each
 * stage for every matrix size, in one process, and prints the ratios against the first (baseline) size.
 */
public final class AnalysisBenchmark {
  /** Seconds per stage and peak heap for one matrix size. */
  public record Measurement(int models, int tasks, Map<String, Double> seconds, long peakHeapMb) {
    double total() {
      return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  private AnalysisBenchmark() {}

  public static List<Measurement> run(SparkSession spark, List<Integer> modelCounts, int tasks, int bootstrap,
                                      PrintWriter out) {
    // warm-up: JIT and Spark's first jobs would otherwise be charged to the baseline
    measure(spark, 200, Math.min(tasks, 20), 4);
    List<Measurement> results = new ArrayList<>();
    for (int n : modelCounts) {
      Measurement m = measure(spark, n, tasks, bootstrap);
      results.add(m);
      Measurement base = results.get(0);
      out.printf("%6d models × %3d tasks: total %7.2f s (×%.2f vs %d models)  peak heap %5d MB%n", n, tasks, m.total(),
          m.total() / base.total(), base.models(), m.peakHeapMb());
      for (Map.Entry<String, Double> e : m.seconds().entrySet()) {
        out.printf("    %-28s %7.2f s (×%.2f)%n", e.getKey(), e.getValue(), e.getValue() / base.seconds().get(e.getKey()));
      }
      out.flush();
    }
    return results;
  }

  static Measurement measure(SparkSession spark, int n, int p, int bootstrap) {
    PeakMemory.resetHeapPeak();
    SplittableRandom rnd = new SplittableRandom(n * 31L + p);
    double[][] w = new double[3][p];
    for (double[] row : w) {
      for (int j = 0; j < p; j++) {
        row[j] = rnd.nextDouble() * 2 - 1;
      }
    }
    List<ScoreCell> cells = new ArrayList<>(n * p);
    Map<String, ModelSpec> registry = new LinkedHashMap<>();
    List<String> origins = ComputeScalingRegressions.ORIGINS;
    for (int i = 0; i < n; i++) {
      String id = "synthetic/model-" + i;
      double[] f = {rnd.nextDouble() * 2 - 1, rnd.nextDouble() * 2 - 1, rnd.nextDouble() * 2 - 1};
      for (int j = 0; j < p; j++) {
        double v = 0.5 + 0.12 * (f[0] * w[0][j] + f[1] * w[1][j] + f[2] * w[2][j]) + 0.02 * (rnd.nextDouble() - 0.5);
        cells.add(new ScoreCell(id, "task_" + j, v, "evaluated"));
      }
      double params = Math.pow(10, 9 + 2 * rnd.nextDouble());
      registry.put(id, new ModelSpec(id, id, "synthetic", null, "hf", "bf16", 4096, false, params, params,
          Math.pow(10, 12 + rnd.nextDouble()), Math.pow(10, 9 + 3 * rnd.nextDouble()), Math.pow(10, 11 + 2 * rnd.nextDouble()),
          origins.get(i % origins.size()), null, "synthetic"));
    }
    Map<String, Double> seconds = new LinkedHashMap<>();
    long t = System.nanoTime();
    ScoreMatrix m = ScoreMatrix.build(cells, "evaluated", Map.of()).complete(0.5, "impute", 3);
    seconds.put("score matrix", lap(t));
    t = System.nanoTime();
    PcaResult pca = MllibPca.fit(spark, m, true);
    seconds.put("PCA (MLlib)", lap(t));
    t = System.nanoTime();
    BootstrapPca.withIntervals(spark, m, pca, true, bootstrap, 42);
    seconds.put("bootstrap (" + bootstrap + " replicates)", lap(t));
    t = System.nanoTime();
    ComputeScalingRegressions.fit(spark, pca, registry, 3, new ArrayList<>());
    seconds.put("regressions (45 fits)", lap(t));
    t = System.nanoTime();
    TaskCorrelations.compute(spark, m);
    seconds.put("task correlations", lap(t));
    return new Measurement(n, p, seconds, PeakMemory.heapMb());
  }

  private static double lap(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
