package dev.kansoku.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.infer.InferStage;
import dev.kansoku.pipeline.EvaluateJob;
import dev.kansoku.pipeline.EvaluationSummary;
import dev.kansoku.pipeline.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluate job on a real Spark standalone cluster (a master and two single-core workers on 127.0.0.1,
 * executors in their own JVMs) with faults injected: an executor JVM killed (SIGKILL) in the middle of
 * inference, and the driver JVM killed in the middle of inference and the run started again.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ClusterFaultTest {
  // 30 XWINO examples × 2 choices + 30 JCommonsenseQA generations
  private static final long PLANNED = 30 * 2 + 30;
  @TempDir
  static Path tmp;
  private static StandaloneCluster cluster;
  private static Path conf;

  @BeforeAll
  static void startCluster() throws Exception {
    conf = TestPaths.repoCopy(tmp);
    Files.writeString(conf.resolve("suites/cluster.conf"), "suite { id = \"cluster\", tasks = [\"xwino_en\", \"jcommonsenseqa\"] }");
    cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Map<String, String> settings(Path results) {
    return Map.of(
        // three commit chunks of ~30 requests: a killed driver keeps the chunks already committed
        "kansoku.inference.commit-every", "30",
        "kansoku.results-dir", results.toString(),
        "kansoku.suite", "cluster",
        "kansoku.limit", "30",
        "kansoku.spark.master", cluster.masterUrl,
        "kansoku.spark.partitions", "6",
        "kansoku.inference.batch-size", "2",
        "kansoku.inference.torch-threads", "1",
        // live progress lines every second: progress.json is rewritten between commits too, and must stay valid
        "kansoku.inference.progress-seconds", "1",
        "kansoku.spark.settings", "{\"spark.ui.enabled\" = \"false\", \"spark.driver.host\" = \"127.0.0.1\", "
            + "\"spark.executor.memory\" = \"900m\", \"spark.executor.extraJavaOptions\" = \"-Dai.djl.offline=true -Dai.djl.default_engine=PyTorch\"}");
  }

  private static long responseRows(SparkSession spark, Path results) {
    return spark.read().parquet(results.resolve("responses").toString()).count();
  }

  private static long distinctResponses(SparkSession spark, Path results) {
    return spark.read().parquet(results.resolve("responses").toString()).select("request_id").distinct().count();
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void killedExecutorLosesNothingAndDuplicatesNothing() throws Exception {
    Path results = tmp.resolve("results-executor-kill");
    ResolvedRun run = new ConfigLoader(conf).load(null, settings(results));
    SparkSession spark = SparkSessions.create(run.settings());
    try {
      assertTrue(spark.sparkContext().master().startsWith("spark://"), spark.sparkContext().master());
      ExecutorKiller killer = new ExecutorKiller();
      spark.sparkContext().addSparkListener(killer);
      ProgressReader reader = new ProgressReader(results.resolve("progress.json"));
      reader.start();
      EvaluationSummary s = new EvaluateJob(spark, run).run();
      reader.stop.set(true);
      reader.join();
      assertTrue(reader.reads.get() > 0, "progress.json was read while the run went");
      assertEquals(0, reader.invalid.get(), "progress.json parsed every time it was read");
      com.fasterxml.jackson.databind.JsonNode progress = new com.fasterxml.jackson.databind.ObjectMapper().readTree(results.resolve("progress.json").toFile());
      assertEquals("finished", progress.get("state").asText());
      assertEquals(PLANNED, progress.get("computed").asLong());
      assertEquals(3, progress.get("chunks_committed").asInt());
      for (com.fasterxml.jackson.databind.JsonNode t : progress.get("tasks")) {
        assertEquals(t.get("total").asLong(), t.get("done").asLong(), t.toString());
      }
      assertTrue(killer.killed.get(), "an executor was killed during the inference stage");
      assertTrue(killer.failedTasks.get() >= 1, "the kill made at least one task fail and be retried");
      assertEquals(PLANNED, s.planned());
      assertEquals(PLANNED, s.computed(), "accumulators count each request once, failed attempts excluded");
      assertEquals(0, s.failed());
      assertEquals(PLANNED, responseRows(spark, results), "exactly one response row per planned request");
      assertEquals(PLANNED, distinctResponses(spark, results));
      assertFalse(s.scores().isEmpty());
    } finally {
      spark.stop();
    }
  }

  @Test
  @org.junit.jupiter.api.Order(2)
  void killedDriverIsResumedComputingOnlyTheMissingRequests() throws Exception {
    Path results = tmp.resolve("results-driver-kill");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.default_engine=PyTorch"));
    cmd.addAll(List.of(System.getProperty("kansoku.test.jvmopts", "").split(" ")).stream().filter(x -> !x.isBlank()).toList());
    cmd.addAll(List.of("-cp", TestPaths.REPO.resolve("target/classes") + java.io.File.pathSeparator
        + String.join(java.io.File.pathSeparator, StandaloneCluster.runtimeJars()), "dev.kansoku.cli.KansokuCli", "evaluate",
        "--conf-dir", conf.toString()));
    settings(results).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    ProcessBuilder launch = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("driver.log").toFile());
    // as a user's shell: the driver's address comes from spark.driver.host alone (issue 18 saw "localhost" handed out)
    launch.environment().remove("SPARK_LOCAL_IP");
    launch.environment().remove("SPARK_LOCAL_HOSTNAME");
    Process driver = launch.start();
    // kill the driver as soon as its first chunk of responses is committed, while the next is computed
    long deadline = System.currentTimeMillis() + 180_000;
    while (driver.isAlive() && !committed(results) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(driver.isAlive(), "driver ended before it could be killed: " + Files.readString(tmp.resolve("driver.log")));
    driver.destroyForcibly().waitFor();

    ResolvedRun run = new ConfigLoader(conf).load(null, settings(results));
    SparkSession spark = SparkSessions.create(run.settings());
    try {
      long answeredBefore = distinctResponses(spark, results);
      assertTrue(answeredBefore > 0 && answeredBefore < PLANNED, "the killed run left part of its work: " + answeredBefore);
      assertEquals(answeredBefore, responseRows(spark, results), "and no duplicates");
      EvaluationSummary s = new EvaluateJob(spark, run).run();
      assertEquals(PLANNED, s.planned());
      assertEquals(answeredBefore, s.reused());
      assertEquals(PLANNED - answeredBefore, s.computed(), "the re-run computes exactly the missing requests");
      assertEquals(PLANNED, responseRows(spark, results), "exactly one response row per planned request");
      assertEquals(PLANNED, distinctResponses(spark, results));
      // issue 18: the resumed run's responses are the same bits as those of the uninterrupted run (test 1, whose
      // executor was killed and whose tasks were retried): double equality and identical text, request by request
      Path other = tmp.resolve("results-executor-kill/responses");
      if (Files.isDirectory(other)) {
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> a = spark.read().parquet(other.toString())
            .selectExpr("request_id AS a_id", "loglikelihood AS a_ll", "generated_text AS a_text");
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> b = spark.read().parquet(results.resolve("responses").toString())
            .selectExpr("request_id AS b_id", "loglikelihood AS b_ll", "generated_text AS b_text");
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> pairs = a.join(b, a.col("a_id").equalTo(b.col("b_id")));
        assertEquals(PLANNED, pairs.count(), "every request answered by both runs");
        assertEquals(0, pairs.where("NOT (a_ll <=> b_ll) OR NOT (a_text <=> b_text)").count(),
            "responses differ between the uninterrupted run and the resumed one");
      }
    } finally {
      spark.stop();
    }
  }

  @Test
  @org.junit.jupiter.api.Order(3)
  void executorsAreHandedTheConfiguredDriverHost() throws Exception {
    // each executor's stderr starts with its launch command, which carries the driver URL it was given
    java.util.regex.Pattern url = java.util.regex.Pattern.compile("spark://CoarseGrainedScheduler@([^:\"\\s]+):");
    java.util.Set<String> hosts = new java.util.TreeSet<>();
    int executors = 0;
    try (Stream<Path> s = Files.walk(tmp.resolve("cluster"))) {
      for (Path p : s.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
        java.util.regex.Matcher m = url.matcher(Files.readString(p));
        if (m.find()) {
          executors++;
          hosts.add(m.group(1));
        }
      }
    }
    assertTrue(executors >= 4, "the two runs' executors were found: " + executors);
    assertEquals(java.util.Set.of("127.0.0.1"), hosts, "the driver host of spark.driver.host, in both runs");
  }

  /** Whether the responses table holds a committed chunk (a Parquet file in a partition directory). */
  private static boolean committed(Path results) throws Exception {
    Path responses = results.resolve("responses");
    if (!Files.isDirectory(responses)) {
      return false;
    }
    try (Stream<Path> s = Files.walk(responses)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".parquet") && !p.toString().contains("_temporary"));
    }
  }

  /** Parses progress.json over and over while a run goes, counting reads that fail. */
  private static final class ProgressReader extends Thread {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger invalid = new AtomicInteger();
    private final Path file;

    ProgressReader(Path file) {
      this.file = file;
      setDaemon(true);
    }

    @Override
    public void run() {
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      while (!stop.get()) {
        if (Files.exists(file)) {
          try {
            json.readTree(Files.readString(file)).get("state").asText();
            reads.incrementAndGet();
          } catch (Exception e) {
            invalid.incrementAndGet();
          }
        }
        Thread.onSpinWait();
      }
    }
  }

  /**
   * Kills (SIGKILL) the executor JVM that runs an inference task, as soon as the task starts. A kill after a fixed
   * delay raced the task: on a fast machine the task (or the whole chunk job) was over before the kill, and nothing
   * failed. Killing the task's own executor at its start makes the failure near certain; should a task still win
   * the race, the next inference task's executor is killed, up to three kills, until a failed task is seen.
   */
  private static final class ExecutorKiller extends SparkListener {
    private static final int MAX_KILLS = 3;
    final AtomicBoolean killed = new AtomicBoolean();
    final AtomicInteger failedTasks = new AtomicInteger();
    private final AtomicInteger kills = new AtomicInteger();
    private final Map<Integer, String> stageNames = new ConcurrentHashMap<>();
    private final Map<String, Boolean> killedExecutors = new ConcurrentHashMap<>();

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
      stageNames.put(e.stageInfo().stageId(), e.stageInfo().name());
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
      String stage = stageNames.getOrDefault(e.stageId(), "");
      String executorId = e.taskInfo().executorId();
      // the inference stage: the staged write of a chunk's responses, which InferStage names
      if (!stage.startsWith(InferStage.STAGE_NAME) || failedTasks.get() > 0 || killedExecutors.putIfAbsent(executorId, true) != null) {
        return;
      }
      if (kills.incrementAndGet() > MAX_KILLS) {
        return;
      }
      // the listener runs on Spark's event thread: look the process up and kill it elsewhere
      Thread t = new Thread(() -> cluster.executor(executorId).ifPresent(p -> {
        p.destroyForcibly();
        killed.set(true);
      }));
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      if (!e.taskInfo().successful()) {
        failedTasks.incrementAndGet();
      }
    }
  }
}
