package dev.kansoku.cli;

import java.net.URL;
import java.util.Enumeration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Under spark-submit the driver's logging is Spark's, not Kansoku's: with no log4j2.properties in $SPARK_HOME/conf,
 * Spark installs its own defaults (everything at INFO: a tiny run printed 1,469 lines). When that is the case, the
 * driver switches to the configuration inside Kansoku's jar (Kansoku's progress lines, Spark's warnings); a
 * configuration the user chose ($SPARK_HOME/conf, -Dlog4j2.configurationFile) is left alone.
 */
final class SubmittedLogging {
  private SubmittedLogging() {}

  static void quietUnlessConfigured() {
    if (System.getProperty("spark.master") == null) {
      // not started by spark-submit (SparkSubmit, Spark's YARN ApplicationMaster and DriverWrapper set it)
      return;
    }
    try {
      LoggerContext context = (LoggerContext) LogManager.getContext(false);
      String source = String.valueOf(context.getConfiguration().getConfigurationSource().getLocation());
      boolean sparkDefaults = source.contains("org/apache/spark/log4j2") || source.equals("null");
      URL ours = ownConfiguration();
      if (sparkDefaults && ours != null) {
        Configurator.reconfigure(ours.toURI());
      }
    } catch (RuntimeException | java.net.URISyntaxException | java.io.IOException e) {
      // logging stays as Spark set it; nothing else depends on this
    }
  }

  /** The log4j2.properties of Kansoku's own jar (or classes directory), not one another jar happens to carry. */
  private static URL ownConfiguration() throws java.io.IOException {
    String home = SubmittedLogging.class.getProtectionDomain().getCodeSource().getLocation().toString();
    Enumeration<URL> all = SubmittedLogging.class.getClassLoader().getResources("log4j2.properties");
    while (all.hasMoreElements()) {
      URL u = all.nextElement();
      if (u.toString().contains(home.replaceFirst("^file:", ""))) {
        return u;
      }
    }
    return null;
  }
}
