package dev.kansoku.testkit;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The one way tests start a bare local Spark session (tests that run a whole job start theirs from the run's
 * settings through {@code SparkSessions.create}, as the job does). Sessions are the project's settings for
 * result tables: UTC timestamps, partition directories read as strings, few shuffle partitions, no UI.
 */
public final class LocalSpark {
  private LocalSpark() {}

  /** A session on {@code threads} local threads with {@code extra} settings; the caller stops it. */
  public static SparkSession start(String app, int threads, Map<String, String> extra) {
    SparkSession.Builder b = SparkSession.builder().master("local[" + threads + "]").appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false");
    extra.forEach(b::config);
    return b.getOrCreate();
  }

  public static SparkSession start(String app, int threads) {
    return start(app, threads, Map.of());
  }

  /** Work done with a session. */
  @FunctionalInterface
  public interface Work {
    void accept(SparkSession spark) throws Exception;
  }

  /** Runs {@code work} on a fresh session and stops it afterwards (the loan pattern). */
  public static void with(String app, int threads, Work work) throws Exception {
    SparkSession spark = start(app, threads);
    try {
      work.accept(spark);
    } finally {
      spark.stop();
    }
  }
}
