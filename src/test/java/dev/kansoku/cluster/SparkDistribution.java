package dev.kansoku.cluster;

import dev.kansoku.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * What a Spark 4.2 binary distribution (spark-4.2.0-bin-hadoop3) holds that spark-submit needs, assembled from the
 * Maven artifacts it is built from, since no distribution can be downloaded here: {@code jars/} (Spark, Scala,
 * Hadoop's shaded client, spark-yarn and their dependencies — the project's runtime classpath without Kansoku's own
 * libraries, which travel in the application jar) and {@code bin/spark-submit}, which does what the distribution's
 * bin/spark-class does: asks Spark's launcher library ({@code org.apache.spark.launcher.Main}) for the command of
 * {@code org.apache.spark.deploy.SparkSubmit} and runs it.
 */
final class SparkDistribution {
  /** Kansoku's own libraries: in the shaded application jar, not in a Spark distribution. */
  private static final List<String> APPLICATION_ONLY = List.of("/ai/djl/", "/com/microsoft/onnxruntime/",
      "/com/typesafe/config/", "/info/picocli/", "/org/apache/lucene/", "/org/jfree/", "/org/apache/commons/commons-csv/",
      "/net/java/dev/jna/");

  private SparkDistribution() {}

  static List<String> jars() throws IOException {
    List<String> jars = new ArrayList<>();
    for (String jar : StandaloneCluster.runtimeJars()) {
      if (APPLICATION_ONLY.stream().noneMatch(jar::contains)) {
        jars.add(jar);
      }
    }
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (entry.contains("/spark-yarn_2.13/")) {
        jars.add(entry);
      }
    }
    return jars;
  }

  /** A SPARK_HOME at {@code home} ({@code jars/} filled unless already there, {@code bin/spark-submit}). */
  static Path create(Path home) throws IOException {
    Files.createDirectories(home.resolve("jars"));
    for (String jar : jars()) {
      Path link = home.resolve("jars").resolve(Path.of(jar).getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, Path.of(jar));
      }
    }
    Files.createDirectories(home.resolve("bin"));
    Path submit = home.resolve("bin/spark-submit");
    Files.writeString(submit, """
        #!/usr/bin/env bash
        # bin/spark-class's way: Spark's launcher library prints the java command (NUL-separated), this runs it
        export SPARK_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
        export SPARK_SCALA_VERSION=2.13
        RUNNER="${JAVA_HOME:+$JAVA_HOME/bin/}java"
        # the launcher prints messages line by line, an empty line (a NUL), then the command's arguments NUL-separated
        CMD=()
        DELIM=$'\\n'
        STARTED=false
        while IFS= read -d "$DELIM" -r ARG; do
          if $STARTED; then CMD+=("$ARG"); elif [ -z "$ARG" ]; then DELIM=''; STARTED=true; else echo "$ARG" >&2; fi
        done < <("$RUNNER" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main org.apache.spark.deploy.SparkSubmit "$@")
        [ ${#CMD[@]} -gt 0 ] || exit 1
        exec "${CMD[@]}"
        """);
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }

  /** target/kansoku-cluster.jar (mvn -Pcluster package; .ci/run builds it), or the test is skipped (failed under CI). */
  static Path applicationJar() {
    Path jar = TestPaths.REPO.resolve("target/kansoku-cluster.jar");
    if (!Files.isRegularFile(jar)) {
      String why = jar + " is missing: build it with mvn -Pcluster -DskipTests package";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(why + " (.ci/run does; under CI the spark-submit tests must run)");
      }
      Assumptions.abort(why);
    }
    return jar;
  }
}
