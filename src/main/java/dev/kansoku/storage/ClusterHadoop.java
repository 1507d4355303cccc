package dev.kansoku.storage;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.deploy.SparkHadoopUtil;

/** The Hadoop configuration of the Spark process this code runs in (driver or executor), spark.hadoop.* included. */
public final class ClusterHadoop {
  private ClusterHadoop() {}

  public static Configuration configuration() {
    SparkEnv env = SparkEnv.get();
    return env == null ? new Configuration() : SparkHadoopUtil.get().newConfiguration(env.conf());
  }
}
