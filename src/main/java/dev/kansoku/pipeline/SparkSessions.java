package dev.kansoku.pipeline;

import dev.kansoku.config.RunSettings;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/** Builds the SparkSession for a job: local mode by default, the submitted master under spark-submit. */
public final class SparkSessions {
  private SparkSessions() {}

  /** Work that needs a session. */
  @FunctionalInterface
  public interface SessionWork<T> {
    T apply(SparkSession spark) throws Exception;
  }

  /**
   * Runs {@code work} on a session and stops the session afterwards only if this call created it, so that
   * commands run inside a program (tests, notebooks) leave the caller's session alive.
   */
  public static <T> T withSession(RunSettings settings, SessionWork<T> work) throws Exception {
    boolean existed = SparkSession.getDefaultSession().isDefined();
    SparkSession spark = create(settings);
    try {
      return work.apply(spark);
    } finally {
      if (!existed) {
        spark.stop();
      }
    }
  }

  public static SparkSession create(RunSettings settings) {
    return create(settings.sparkMaster(), settings.sparkAppName(), settings.sparkSettings());
  }

  /**
   * The Hadoop configuration a session of {@code settings} would hand its filesystem clients (the classpath's
   * core-site.xml and hdfs-site.xml, then every {@code spark.hadoop.*} setting, as Spark copies them), for commands that
   * touch results without starting Spark.
   */
  public static org.apache.hadoop.conf.Configuration hadoopConfiguration(RunSettings settings) {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    SparkConf spark = new SparkConf(true);
    for (scala.Tuple2<String, String> e : spark.getAll()) {
      copyHadoopSetting(conf, e._1(), e._2());
    }
    settings.sparkSettings().forEach((k, v) -> copyHadoopSetting(conf, k, v));
    return conf;
  }

  private static void copyHadoopSetting(org.apache.hadoop.conf.Configuration conf, String key, String value) {
    if (key.startsWith("spark.hadoop.")) {
      conf.set(key.substring("spark.hadoop.".length()), value);
    }
  }

  /**
   * A session with the settings every Kansoku job relies on (result tables: partition directories read as strings,
   * dynamic partition overwrite, UTC timestamps), then {@code settings}; {@code master} and {@code appName} apply
   * unless spark-submit set them.
   */
  public static SparkSession create(String master, String appName, Map<String, String> settings) {
    SparkConf conf = new SparkConf(true);
    if (!conf.contains("spark.master")) {
      // spark-submit sets spark.master; a plain `java` or ./kansoku run uses the configured one
      conf.setMaster(master);
    }
    conf.setIfMissing("spark.app.name", appName);
    // partition directories hold ids such as "1e-5"; keep them strings
    conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false");
    conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic");
    conf.setIfMissing("spark.sql.session.timeZone", "UTC");
    conf.setIfMissing("spark.sql.shuffle.partitions", "8");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    for (Map.Entry<String, String> e : settings.entrySet()) {
      conf.set(e.getKey(), e.getValue());
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
