package dev.kansoku.cli;

import static dev.kansoku.cli.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.cli.CliRuns.Run;
import dev.kansoku.results.RunLock;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results on a real HDFS: a NameNode and a DataNode (Hadoop's MiniDFSCluster, 3.5.0 as Spark 4.2 ships) in this
 * JVM, and every command that touches results pointed at {@code hdfs://} URIs — evaluate (the same task scores as on a
 * local directory), a driver killed with SIGKILL and the run resumed, the lock refusing a second run, {@code repair},
 * {@code analyze} (tables, summary.json and report on HDFS) and {@code sql}. An HDFS nobody answers and a scheme no
 * filesystem implements are one line and exit 2, with nothing written anywhere.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HdfsResultsTest {
  // 12 XWINO examples × 2 choices + 12 JCommonsenseQA generations
  private static final long PLANNED = 12 * 2 + 12;
  @TempDir
  static Path tmp;
  private static MiniDFSCluster hdfs;
  private static FileSystem fs;
  private static String root;
  private static Path conf;

  @BeforeAll
  static void startHdfs() throws Exception {
    conf = TestPaths.repoCopy(tmp);
    Files.writeString(conf.resolve("suites/hdfs.conf"), "suite { id = \"hdfs\", tasks = [\"xwino_en\", \"jcommonsenseqa\"] }");
    Configuration c = new Configuration();
    c.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
    c.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    hdfs = new MiniDFSCluster.Builder(c).numDataNodes(1).build();
    hdfs.waitActive();
    fs = hdfs.getFileSystem();
    root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort();
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  private static String[] evaluate(String results, String... more) {
    List<String> args = new ArrayList<>(List.of("evaluate", "--conf-dir", conf.toString(), "--results", results,
        "-Dkansoku.suite=hdfs", "-Dkansoku.limit=12", "-Dkansoku.inference.torch-threads=1"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  @Order(1)
  void evaluateOnHdfsGivesTheScoresOfALocalDirectory() throws Exception {
    Path local = tmp.resolve("local-results");
    Run l = run(evaluate(local.toString()));
    assertEquals(0, l.code(), l.err());
    String results = root + "/kansoku/results";
    Run h = run(evaluate(results));
    assertEquals(0, h.code(), h.err());
    assertTrue(h.out().contains(results + "/task_scores"), "the URI is printed as a URI: " + h.out());
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/kansoku/results/task_scores")), "task_scores on HDFS");
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/kansoku/results/progress.json")), "progress.json on HDFS");
    assertNoLocalHdfsFolder();
    Map<String, String> onHdfs = taskScores(results);
    assertEquals(taskScores(local.toString()), onHdfs, "the same task scores, to the last digit");
    assertEquals(2, onHdfs.keySet().stream().map(k -> k.split("\\|")[1]).distinct().count(), "scores of both tasks: " + onHdfs);

    // a second run reuses every response it finds on HDFS
    Run again = run(evaluate(results));
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("computed 0"), again.out());
  }

  @Test
  @Order(2)
  void theLockOnHdfsRefusesASecondRun() throws Exception {
    String results = root + "/kansoku/locked";
    try (RunLock held = RunLock.acquire(fs.getConf(), results, "run-holding-it")) {
      Run r = run(evaluate(results));
      assertEquals(2, r.code(), r.out() + r.err());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().contains("run-holding-it"), r.err());
    }
    assertFalse(fs.exists(new org.apache.hadoop.fs.Path("/kansoku/locked/responses")), "the refused run wrote nothing");
  }

  @Test
  @Order(3)
  void aKilledDriverIsResumedOnHdfs() throws Exception {
    String results = root + "/kansoku/killed";
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dai.djl.offline=true", "-Dai.djl.default_engine=PyTorch"));
    cmd.addAll(List.of(System.getProperty("kansoku.test.jvmopts", "").split(" ")).stream().filter(x -> !x.isBlank()).toList());
    cmd.addAll(List.of("-cp", TestPaths.REPO.resolve("target/classes") + java.io.File.pathSeparator
        + Files.readString(TestPaths.REPO.resolve("target/classpath.txt")).trim(), "dev.kansoku.cli.KansokuCli"));
    // chunks of 4 requests, one row at a time: the driver is killed after its first commit, long before its last
    cmd.addAll(List.of(evaluate(results, "-Dkansoku.inference.commit-every=4", "-Dkansoku.inference.batch-size=1",
        "-Dkansoku.spark.master=local[1]")));
    Process driver = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("driver.log").toFile()).start();
    long deadline = System.currentTimeMillis() + 180_000;
    while (driver.isAlive() && committedResponses("/kansoku/killed/responses") == 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(driver.isAlive(), "driver ended before it could be killed: " + Files.readString(tmp.resolve("driver.log")));
    driver.destroyForcibly().waitFor();
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/kansoku/killed/_run.lock")), "the killed driver left its lock");

    Run resumed = run(evaluate(results));
    assertEquals(0, resumed.code(), resumed.err());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("planned (\\d+), reused (\\d+), computed (\\d+)").matcher(resumed.out());
    assertTrue(m.find(), resumed.out());
    long reused = Long.parseLong(m.group(2));
    assertEquals(PLANNED, Long.parseLong(m.group(1)));
    assertTrue(reused > 0 && reused < PLANNED, "the killed run left part of its work: " + resumed.out());
    assertEquals(PLANNED - reused, Long.parseLong(m.group(3)), "only the missing requests are computed");
    Run counts = run("sql", "--conf-dir", conf.toString(), "--results", results, "--csv",
        "select count(*) as n, count(distinct request_id) as d from responses");
    assertEquals(0, counts.code(), counts.err());
    assertTrue(counts.out().contains(PLANNED + "," + PLANNED), "one response per planned request: " + counts.out());
    assertEquals(taskScores(root + "/kansoku/results"), taskScores(results), "the resumed run scores as the uninterrupted one");
  }

  @Test
  @Order(4)
  void repairQuarantinesAnUnreadableFileOnHdfs() throws Exception {
    String results = root + "/kansoku/results";
    org.apache.hadoop.fs.Path bad = new org.apache.hadoop.fs.Path("/kansoku/results/task_scores/part-99999-truncated.parquet");
    try (OutputStream out = fs.create(bad)) {
      out.write("PAR1 cut short".getBytes(StandardCharsets.UTF_8));
    }
    Run refused = run(evaluate(results));
    assertEquals(2, refused.code(), refused.out() + refused.err());
    assertTrue(refused.err().contains("kansoku repair"), refused.err());
    Run repaired = run("repair", "--conf-dir", conf.toString(), "--results", results);
    assertEquals(0, repaired.code(), repaired.err());
    assertTrue(repaired.out().contains("1 unreadable file(s) quarantined"), repaired.out());
    assertFalse(fs.exists(bad));
    Run after = run(evaluate(results));
    assertEquals(0, after.code(), after.err());
  }

  @Test
  @Order(5)
  void analyzeAndSqlWorkOnHdfs() throws Exception {
    String results = root + "/kansoku/results";
    Run a = run("analyze", "--conf-dir", conf.toString(), "--results", results);
    assertEquals(0, a.code(), a.out() + a.err());
    for (String f : List.of("analysis/summary.json", "analysis/report/index.html", "analysis/report/scree.png", "analysis/pca_loadings")) {
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/kansoku/results/" + f)), f + " on HDFS");
    }
    assertNoLocalHdfsFolder();
    Run sql = run("sql", "--conf-dir", conf.toString(), "--results", results, "--csv",
        "select count(*) as n from pca_loadings");
    assertEquals(0, sql.code(), sql.err());
    assertTrue(Long.parseLong(sql.out().lines().skip(1).findFirst().orElseThrow().trim()) > 0, sql.out());
  }

  /**
   * model.path on HDFS: the driver copies the config and tokenizer, the executors the weights, into the model cache;
   * the scores are those of the same weights read from the local directory.
   */
  @Test
  @Order(6)
  void aModelOnHdfsIsStagedAndScoresAsTheLocalOne() throws Exception {
    dev.kansoku.inference.RandomCheckpoint.ensureWeights(TestPaths.TINY_MODEL);
    fs.mkdirs(new org.apache.hadoop.fs.Path("/models/tiny"));
    try (java.util.stream.Stream<Path> files = Files.list(TestPaths.TINY_MODEL)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(f.toUri()), new org.apache.hadoop.fs.Path("/models/tiny/" + f.getFileName()));
      }
    }
    Files.writeString(conf.resolve("models/tiny-hdfs.conf"), Files.readString(conf.resolve("models/kansoku-tiny-llama.conf"))
        .replace("id = \"kansoku-tiny-llama\"", "id = \"kansoku-tiny-hdfs\"")
        .replace("path = \"data/models/kansoku-tiny-llama\"", "path = \"" + root + "/models/tiny\"")
        .replace("generated-weights = true", "generated-weights = false"));
    Path cache = tmp.resolve("model-cache");
    Path results = tmp.resolve("results-model-on-hdfs");
    Run r = run(evaluate(results.toString(), "-Dkansoku.models=[\"kansoku-tiny-hdfs\"]",
        "-Dkansoku.inference.model-cache-dir=" + cache));
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("requests: planned 36, reused 0, computed 36"), r.out());
    String rev = "seed-20241128";
    assertTrue(Files.isRegularFile(cache.resolve("kansoku-tiny-hdfs/" + rev + "/full/model.safetensors")), "the executors' copy");
    assertTrue(Files.isRegularFile(cache.resolve("kansoku-tiny-hdfs/" + rev + "/metadata/tokenizer.json")), "the driver's copy");
    Map<String, String> staged = new TreeMap<>();
    taskScores(results.toString()).forEach((k, v) -> staged.put(k.replace("kansoku-tiny-hdfs|", ""), v));
    Map<String, String> local = new TreeMap<>();
    taskScores(tmp.resolve("local-results").toString()).forEach((k, v) -> local.put(k.replace("kansoku-tiny-llama|", ""), v));
    assertEquals(local, staged, "the same weights from HDFS score as from the local directory");
  }

  @Test
  void anHdfsNobodyAnswersIsOneLineAndNothingIsWritten() throws Exception {
    for (String results : List.of("hdfs://127.0.0.1:9/x", "nosuchfs://somewhere/x")) {
      for (String command : List.of("evaluate", "analyze", "sql", "repair")) {
        Run r = switch (command) {
          case "evaluate" -> run(evaluate(results));
          case "sql" -> run("sql", "--conf-dir", conf.toString(), "--results", results, "select 1");
          default -> run(command, "--conf-dir", conf.toString(), "--results", results);
        };
        assertEquals(2, r.code(), command + " " + results + ": " + r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("kansoku.results-dir " + results + ": "), r.err());
      }
    }
    assertNoLocalHdfsFolder();
    assertFalse(Files.exists(TestPaths.REPO.resolve("nosuchfs:")));
  }

  private static void assertNoLocalHdfsFolder() {
    for (Path dir : List.of(TestPaths.REPO, Path.of("").toAbsolutePath(), conf.getParent())) {
      assertFalse(Files.exists(dir.resolve("hdfs:")), "an hdfs: folder under " + dir);
    }
  }

  /** Parquet files committed under an HDFS table (outside Spark's _temporary). */
  private static int committedResponses(String table) throws Exception {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(table);
    if (!fs.exists(p)) {
      return 0;
    }
    int n = 0;
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(p, true);
    while (it.hasNext()) {
      String f = it.next().getPath().toString();
      if (f.endsWith(".parquet") && !f.contains("_temporary")) {
        n++;
      }
    }
    return n;
  }

  /** (model, task, metric) → value of the default task_scores view, through `kansoku sql`. */
  private static Map<String, String> taskScores(String results) {
    Run r = run("sql", "--conf-dir", conf.toString(), "--results", results, "--csv",
        "select model_id, task_id, metric, value from task_scores where source = 'evaluated' order by 1, 2, 3");
    assertEquals(0, r.code(), r.err());
    Map<String, String> out = new TreeMap<>();
    r.out().lines().filter(l -> l.split(",").length == 4 && !l.startsWith("model_id")).forEach(l -> {
      String[] f = l.split(",");
      out.put(f[0] + "|" + f[1] + "|" + f[2], f[3]);
    });
    return out;
  }
}
