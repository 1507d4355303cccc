package dev.kansoku.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.cli.KansokuCli;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/evaluate and jobs/nightly submitted to a real YARN (Hadoop's MiniYARNCluster: a ResourceManager and a
 * NodeManager that launches the ApplicationMaster and executors as containers) with results on a real HDFS
 * (MiniDFSCluster), through Spark's launcher and SparkSubmit with spark-yarn 4.2.0, as a data engineer runs them:
 * HADOOP_CONF_DIR naming the cluster, SPARK_HOME a Spark distribution, the shaded application jar. Client deploy mode
 * (driver here) and cluster deploy mode (driver in the ApplicationMaster's container, configuration shipped with the
 * application) score alike; the cron recipe's nightly, in cluster mode, computes only a newly registered model's
 * requests and refreshes the analysis on HDFS.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkSubmitYarnTest {
  @TempDir
  static Path tmp;
  private static MiniDFSCluster hdfs;
  private static MiniYARNCluster yarn;
  private static FileSystem fs;
  private static String root;
  private static Path conf;
  private static Path sparkHome;
  private static Path hadoopConf;

  @BeforeAll
  static void start() throws Exception {
    SparkDistribution.applicationJar();
    conf = TestPaths.repoCopy(tmp);
    Files.writeString(conf.resolve("suites/submit.conf"), "suite { id = \"submit\", tasks = [\"xwino_en\", \"jcommonsenseqa\"] }");
    Files.writeString(conf.resolve("suites/nightly-yarn.conf"), "suite { id = \"nightly-yarn\", tasks = [\"xwino_en\"], limits { xwino_en = 6 } }");

    Configuration d = new Configuration();
    d.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    hdfs = new MiniDFSCluster.Builder(d).numDataNodes(1).build();
    hdfs.waitActive();
    fs = hdfs.getFileSystem();
    root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();

    YarnConfiguration y = new YarnConfiguration();
    y.set("yarn.resourcemanager.hostname", "127.0.0.1");
    y.setInt("yarn.nodemanager.resource.memory-mb", 8192);
    y.setInt("yarn.nodemanager.resource.cpu-vcores", 8);
    y.setInt("yarn.scheduler.minimum-allocation-mb", 256);
    y.setBoolean("yarn.nodemanager.pmem-check-enabled", false);
    y.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
    y.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
    // hadoop-client-minicluster carries no capacity-scheduler.xml: one queue, as Spark's own YARN suite sets it
    y.set("yarn.scheduler.capacity.root.queues", "default");
    y.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
    y.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
    y.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
    y.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
    y.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
    y.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
    yarn = new MiniYARNCluster("SparkSubmitYarnTest", 1, 1, 1);
    yarn.init(y);
    yarn.start();
    long deadline = System.currentTimeMillis() + 30_000;
    while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS).endsWith(":0") && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }

    // what a cluster's HADOOP_CONF_DIR holds: where the ResourceManager and the default filesystem are
    hadoopConf = Files.createDirectories(tmp.resolve("hadoop-conf"));
    Configuration site = new Configuration(false);
    yarn.getConfig().forEach(e -> site.set(e.getKey(), e.getValue()));
    site.set("fs.defaultFS", root);
    for (String file : List.of("core-site.xml", "yarn-site.xml")) {
      try (OutputStream out = Files.newOutputStream(hadoopConf.resolve(file))) {
        site.writeXml(out);
      }
    }
    sparkHome = SparkDistribution.create(tmp.resolve("spark-home"));
    // this cluster's Spark settings, where a distribution keeps them
    String java = System.getProperty("java.home");
    Files.createDirectories(sparkHome.resolve("conf"));
    Files.writeString(sparkHome.resolve("conf/spark-defaults.conf"), String.join("\n",
        // the distribution's jars are on every node (one here): containers use them in place
        "spark.yarn.jars local:" + sparkHome.resolve("jars") + "/*",
        "spark.executor.instances 1", "spark.executor.memory 900m", "spark.driver.memory 900m", "spark.yarn.am.memory 512m",
        "spark.ui.enabled false", "spark.yarn.appMasterEnv.JAVA_HOME " + java, "spark.executorEnv.JAVA_HOME " + java, ""));
  }

  @AfterAll
  static void stop() {
    if (yarn != null) {
      yarn.stop();
    }
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  @Order(1)
  void clientDeployModeOnHdfs() throws Exception {
    JobRun r = submit("evaluate", "client", root + "/yarn/results-client", "-Dkansoku.suite=submit", "-Dkansoku.limit=6");
    assertEquals(0, r.code(), r.output());
    assertTrue(r.output().contains("requests: planned 18, reused 0, computed 18"), r.output());
    r.assertQuiet();
  }

  @Test
  @Order(2)
  void clusterDeployModeShipsTheConfigurationAndScoresAlike() throws Exception {
    String results = root + "/yarn/results-cluster";
    JobRun r = submit("evaluate", "cluster", results, "-Dkansoku.suite=submit", "-Dkansoku.limit=6");
    assertEquals(0, r.code(), r.output() + containerLogs());
    assertTrue(r.output().contains("final status: SUCCEEDED"), r.output());
    r.assertQuiet();
    String driver = containerLogs();
    assertTrue(driver.contains("configuration: shipped with the application"), driver);
    assertTrue(driver.contains("requests: planned 18, reused 0, computed 18"), driver);
    assertEquals(JobRun.taskScores(conf, root + "/yarn/results-client"), JobRun.taskScores(conf, results),
        "client and cluster deploy modes score alike");
  }

  /**
   * deploy/schedule/kansoku.cron's command as cron runs it (sh, with the crontab's variables: MASTER, RESULTS,
   * SPARK_HOME, HADOOP_CONF_DIR), pointed at this checkout, the test's conf copy and a small suite.
   */
  @Test
  @Order(3)
  void theCronRecipeRunsNightlyOnTheClusterComputingOnlyTheNewModel() throws Exception {
    String line = Files.readAllLines(TestPaths.REPO.resolve("deploy/schedule/kansoku.cron")).stream()
        .filter(l -> l.startsWith("30 2 * * * ")).findFirst().orElseThrow().substring("30 2 * * * ".length());
    String command = line.replace("cd /opt/kansoku", "cd " + TestPaths.REPO).replace("/tmp/kansoku-nightly.lock", tmp.resolve("nightly.lock").toString())
        .replaceAll(" >> .*$", "")
        .replace("--suite swallow", "--conf-dir " + conf + " --suite nightly-yarn -Dkansoku.inference.torch-threads=1"
            // the random models stay in the matrix here (one task each, the rest imputed) so both must appear
            + " -Dkansoku.analysis.exclude-origins=[] -Dkansoku.analysis.min-coverage=0.0 -Dkansoku.analysis.bootstrap=20");
    assertTrue(command.contains("jobs/nightly --master \"$MASTER\" --deploy-mode cluster --results \"$RESULTS\""), command);
    String results = root + "/yarn/nightly";
    Map<String, String> env = Map.of("MASTER", "yarn", "RESULTS", results, "SPARK_HOME", sparkHome.toString(),
        "HADOOP_CONF_DIR", hadoopConf.toString());
    JobRun first = JobRun.shell(tmp.resolve("cron-1.log"), env, command);
    assertEquals(0, first.code(), first.output() + containerLogs());
    long secondStarted = System.currentTimeMillis();
    Files.writeString(conf.resolve("models/tiny-b.conf"), Files.readString(conf.resolve("models/kansoku-tiny-llama.conf"))
        .replace("id = \"kansoku-tiny-llama\"", "id = \"kansoku-tiny-llama-b\"").replace("revision = \"seed-20241128\"", "revision = \"seed-20241128-b\""));
    JobRun second = JobRun.shell(tmp.resolve("cron-2.log"), env, command);
    assertEquals(0, second.code(), second.output() + containerLogs());
    assertTrue(second.output().contains("final status: SUCCEEDED"), second.output());
    assertEquals("kansoku-tiny-llama,12,0\nkansoku-tiny-llama-b,12,12", sql(results,
        "select model_id, count(*), sum(case when created_at >= timestamp_millis(" + secondStarted + ") then 1 else 0 end) "
            + "from responses group by model_id order by model_id"), "the second night computed the new model's requests only");
    String summary = new String(fs.open(new org.apache.hadoop.fs.Path("/yarn/nightly/analysis/summary.json")).readAllBytes());
    assertTrue(summary.contains("\"kansoku-tiny-llama\"") && summary.contains("\"kansoku-tiny-llama-b\""), "the analysis on HDFS has both models");
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/yarn/nightly/analysis/report/index.html")), "and its report");
  }

  private JobRun submit(String job, String mode, String results, String... kansoku) throws Exception {
    List<String> args = new ArrayList<>(List.of("--master", "yarn", "--deploy-mode", mode,
        "--conf-dir", conf.toString(), "--results", results, "-Dkansoku.inference.torch-threads=1"));
    args.addAll(List.of(kansoku));
    return JobRun.run(tmp.resolve(job + "-" + mode + ".log"),
        Map.of("SPARK_HOME", sparkHome.toString(), "HADOOP_CONF_DIR", hadoopConf.toString()), "jobs/" + job, args.toArray(String[]::new));
  }

  /** The query's rows as CSV lines without header and trailer, through `kansoku sql` in this JVM. */
  private static String sql(String results, String query) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KansokuCli.execute(new PrintWriter(out), new PrintWriter(err), "sql", "--conf-dir", conf.toString(),
        "--results", results, "--csv", query);
    assertEquals(0, code, err.toString());
    List<String> lines = out.toString().lines().toList();
    return String.join("\n", lines.subList(1, lines.size()).stream().filter(l -> !l.matches("\\(\\d+ rows?\\)") && !l.isBlank()).toList());
  }

  /** stdout and stderr of every container the NodeManager ran (the cluster-mode driver's among them). */
  private static String containerLogs() throws Exception {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> s = Files.walk(yarn.getTestWorkDir().toPath())) {
      for (Path p : s.filter(f -> f.getFileName().toString().matches("stdout|stderr")).sorted().toList()) {
        all.append("\n== ").append(p).append('\n').append(Files.readString(p));
      }
    }
    return all.toString();
  }
}
