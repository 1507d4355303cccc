package dev.kansoku.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/evaluate through spark-submit (Spark's own SubmitSubmit, started the way bin/spark-submit starts it) to a
 * standalone master and two workers on 127.0.0.1 that know nothing of Kansoku (Spark's jars only): the shaded
 * application jar in client deploy mode (the driver here) and in cluster deploy mode (the driver started by a worker,
 * reading the configuration shipped with the application). Both runs give the same task scores, and the console
 * stays quiet (Kansoku's lines and Spark's warnings, not Spark's INFO log).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkSubmitStandaloneTest {
  @TempDir
  static Path tmp;
  private static StandaloneCluster cluster;
  private static Path conf;
  private static Path sparkHome;

  @BeforeAll
  static void start() throws Exception {
    SparkDistribution.applicationJar();
    conf = TestPaths.repoCopy(tmp);
    Files.writeString(conf.resolve("suites/submit.conf"), "suite { id = \"submit\", tasks = [\"xwino_en\", \"jcommonsenseqa\"] }");
    cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2, SparkDistribution.jars());
    // the submitting host's own distribution, as shipped: no conf/log4j2.properties (the cluster's daemons log at INFO)
    sparkHome = SparkDistribution.create(tmp.resolve("spark-home"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void clientDeployMode() throws Exception {
    JobRun r = submit("client", tmp.resolve("results-client"));
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("requests: planned 18, reused 0, computed 18"), r.output());
    r.assertQuiet();
  }

  @Test
  @Order(2)
  void clusterDeployModeReadsTheShippedConfiguration() throws Exception {
    Path results = tmp.resolve("results-cluster");
    JobRun r = submit("cluster", results);
    assertEquals(0, r.code(), r.output() + driverLogs());
    r.assertQuiet();
    String driver = driverLogs();
    assertTrue(driver.contains("configuration: shipped with the application"), driver);
    assertTrue(driver.contains("requests: planned 18, reused 0, computed 18"), driver);
    assertEquals(JobRun.taskScores(conf, tmp.resolve("results-client").toString()), JobRun.taskScores(conf, results.toString()),
        "client and cluster deploy modes score alike");
  }

  private JobRun submit(String mode, Path results) throws Exception {
    return JobRun.run(tmp.resolve("submit-" + mode + ".log"), Map.of("SPARK_HOME", sparkHome.toString()),
        "jobs/evaluate", "--master", cluster.masterUrl, "--deploy-mode", mode,
        "--conf", "spark.executor.memory=900m", "--conf", "spark.driver.memory=900m", "--conf", "spark.ui.enabled=false",
        "--conf", "spark.driver.host=127.0.0.1",
        "--conf-dir", conf.toString(), "--results", results.toString(), "-Dkansoku.suite=submit", "-Dkansoku.limit=6",
        "-Dkansoku.inference.torch-threads=1");
  }

  private static String driverLogs() throws Exception {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> s = Files.walk(tmp.resolve("cluster"))) {
      for (Path p : s.filter(f -> f.getFileName().toString().equals("stderr") && f.toString().contains("/driver-")).toList()) {
        all.append("\n== ").append(p).append('\n').append(Files.readString(p));
      }
      for (Path p : Files.walk(tmp.resolve("cluster")).filter(f -> f.getFileName().toString().equals("stdout") && f.toString().contains("/driver-")).toList()) {
        all.append("\n== ").append(p).append('\n').append(Files.readString(p));
      }
    }
    return all.toString();
  }
}
