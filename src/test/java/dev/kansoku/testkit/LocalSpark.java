package dev.kansoku.testkit;

import dev.kansoku.pipeline.SparkSessions;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Local Spark sessions for tests, made by the product's own {@link SparkSessions} (so a test's session has the
 * settings the jobs rely on); tests that run a whole job start theirs from the run's settings, as the job does.
 */
public final class LocalSpark {
  private LocalSpark() {}

  /** A session on {@code threads} local threads with {@code extra} settings, without the UI; the caller stops it. */
  public static SparkSession start(String app, int threads, Map<String, String> extra) {
    Map<String, String> settings = new java.util.LinkedHashMap<>(Map.of("spark.ui.enabled", "false", "spark.sql.shuffle.partitions", "4"));
    settings.putAll(extra);
    return SparkSessions.create("local[" + threads + "]", app, settings);
  }

  public static SparkSession start(String app, int threads) {
    return start(app, threads, Map.of());
  }
}
