package dev.kansoku.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigError;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.inference.ModelPool;
import dev.kansoku.metric.Bleu;
import dev.kansoku.results.TableSchemas;
import dev.kansoku.sandbox.IsolationLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate job end to end on local Spark, the bundled model and (cut) bundled samples. */
class EvaluateJobTest {
  // 12 XWINO examples × 2 choices + 12 JCommonsenseQA, JEMHopQA, NIILC, JSQuAD generations + 2 samples × 12 × 2 code
  // tasks + 12 MMLU questions × 4 choices + 12 WMT20 ja→en generations
  private static final long PLANNED = 12 * 2 + 12 + 12 + 12 + 12 + 12 * 2 + 12 * 2 + 12 * 4 + 12;
  @TempDir
  static Path tmp;
  private static SparkSession spark;
  private static Path conf;
  private static Path results;
  private static EvaluationSummary first;
  private static EvaluationSummary second;
  private static long loadsBefore;
  private static long passesOfTheLoadedModel;

  @BeforeAll
  static void runTwice() throws Exception {
    conf = TestPaths.repoCopy(tmp);
    // an XWINO file with one malformed row and skip-bad-rows: it must land in the errors table, not stop the run
    Path tsv = tmp.resolve("repo/xwino-with-bad-row.tsv");
    List<String> lines = Files.readAllLines(TestPaths.REPO.resolve("data/benchmarks/xwino_en/dataset.tsv"));
    lines.add(3, "en\tbroken\t?\tthis row has four columns");
    Files.write(tsv, lines);
    Path task = conf.resolve("tasks/xwino_en.conf");
    Files.writeString(task, Files.readString(task).replace("eval-file = \"data/benchmarks/xwino_en/dataset.tsv\"",
        "eval-file = \"" + tsv + "\"\n    skip-bad-rows = true").replace("data/benchmarks/xwino_en/dataset.tsv", tsv.toString()));
    // two samples per code problem keep the test short; the sampling path is the same as with ten
    for (String code : List.of("humaneval", "jhumaneval")) {
      Path f = conf.resolve("tasks/" + code + ".conf");
      Files.writeString(f, Files.readString(f).replace("samples = 10", "samples = 2"));
    }
    // one task of each request kind and aggregation: multiple choice with subjects (MMLU), corpus BLEU (WMT)
    Files.writeString(conf.resolve("suites/pipeline.conf"), "suite { id = \"pipeline\", tasks = [\"xwino_en\", \"jcommonsenseqa\", "
        + "\"jemhopqa\", \"niilc\", \"jsquad\", \"humaneval\", \"jhumaneval\", \"mmlu\", \"wmt20_ja_en\"] }");
    results = tmp.resolve("results");
    ResolvedRun run = load(Map.of());
    // a fresh load: the model's own pass counter then counts this run's passes only
    dev.kansoku.infer.ExecutorModels.POOL.evict();
    loadsBefore = dev.kansoku.infer.ExecutorModels.POOL.loads();
    spark = SparkSessions.create(run.settings());
    first = new EvaluateJob(spark, run).run();
    try (ModelPool.Lease lease = dev.kansoku.infer.ExecutorModels.POOL.lease(run.models().get(0), run.settings().maxLength(), 1, ai.djl.Device.cpu())) {
      passesOfTheLoadedModel = lease.model().passCounts().orElseThrow().total();
    }
    second = new EvaluateJob(spark, load(Map.of())).run();
  }

  private static ResolvedRun load(Map<String, String> extra) {
    Map<String, String> o = new java.util.LinkedHashMap<>(Map.of(
        "kansoku.results-dir", results.toString(),
        "kansoku.limit", "12",
        "kansoku.suite", "pipeline",
        "kansoku.spark.master", "local[2]",
        "kansoku.spark.settings", "{\"spark.ui.enabled\" = \"false\"}",
        "kansoku.inference.torch-threads", "1"));
    o.putAll(extra);
    return new ConfigLoader(conf).load(null, o);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  void firstRunComputesEveryRequestAndScoresEveryTask() {
    assertEquals(PLANNED, first.planned());
    assertEquals(0, first.reused());
    assertEquals(PLANNED, first.computed());
    assertEquals(0, first.failed());
    assertTrue(first.forwardPasses() > 0);
    assertEquals(List.of("humaneval/pass@1/12", "humaneval/passed/24", "jcommonsenseqa/exact_match/12",
            "jemhopqa/char_f1/12", "jhumaneval/pass@1/12", "jhumaneval/passed/24", "jsquad/char_f1/12", "mmlu/acc/12",
            "niilc/char_f1/12", "wmt20_ja_en/bleu/12", "xwino_en/acc/12"),
        first.scores().stream().map(s -> s.taskId() + "/" + s.metric() + "/" + s.n()).toList());
    assertTrue(first.sandboxLayers().contains(IsolationLayer.TEMP_DIRECTORY));
  }

  @Test
  void codeSamplesKeepTheirSandboxOutcome() {
    List<Row> rows = spark.read().parquet(results.resolve("example_scores").toString())
        .where("task_id = 'humaneval' AND metric = 'passed'").collectAsList();
    assertEquals(24, rows.size());
    for (Row r : rows) {
      assertTrue(r.<Integer>getAs("sample_index") == 0 || r.<Integer>getAs("sample_index") == 1);
      assertTrue(r.<String>getAs("detail").matches("(passed|failed|error|timed out|killed).*"), r.toString());
    }
  }

  @Test
  void secondRunReusesEverythingAndGivesIdenticalScores() {
    assertEquals(PLANNED, second.reused());
    assertEquals(0, second.computed());
    assertEquals(0, second.forwardPasses());
    assertEquals(first.scores(), second.scores());
  }

  @Test
  void everyTableMatchesItsDeclaredSchema() {
    for (String table : TableSchemas.ALL) {
      StructType declared = TableSchemas.schema(table);
      StructType written = spark.read().parquet(results.resolve(table).toString()).schema();
      assertEquals(describe(declared), describe(written), table);
    }
  }

  @Test
  void responsesHoldOneRowPerPlannedRequest() {
    List<Row> counts = spark.read().parquet(results.resolve("responses").toString())
        .groupBy("request_id").count().where("count > 1").collectAsList();
    assertTrue(counts.isEmpty(), "duplicated responses: " + counts);
    assertEquals(PLANNED, spark.read().parquet(results.resolve("responses").toString()).count());
    assertEquals(PLANNED, spark.read().parquet(results.resolve("requests").toString()).count());
  }

  @Test
  void malformedDatasetRowIsInTheErrorsTable() {
    List<Row> errors = spark.read().parquet(results.resolve("errors").toString()).where("stage = 'load'").collectAsList();
    assertFalse(errors.isEmpty());
    Row e = errors.get(0);
    assertTrue(e.<String>getAs("file").endsWith("xwino-with-bad-row.tsv"));
    assertEquals(4L, e.<Long>getAs("line"));
  }

  @Test
  void theModelIsLoadedOncePerJvm() {
    // once for both runs (the pool was emptied before the first)
    assertEquals(1, dev.kansoku.infer.ExecutorModels.POOL.loads() - loadsBefore, "loads for two runs");
  }

  @Test
  void everyResponseSaysWhetherItsContextWasCut() {
    Dataset<Row> responses = spark.read().parquet(results.resolve("responses").toString());
    assertEquals(0, responses.where("error IS NULL AND truncated IS NULL").count(), "the flag is set on every response");
    assertEquals(responses.where("truncated").count(), first.truncated(), "the run summary counts the flagged responses");
  }

  @Test
  void forwardPassesAreCountedOnceWhileTaskSlotsShareTheModel() {
    // issue 18: two task slots (local[2]) run batches on one loaded model at once; the run reports exactly the
    // passes the model ran (each slot counts its own thread's passes, not the shared counter's difference)
    assertEquals(passesOfTheLoadedModel, first.forwardPasses());
  }

  @Test
  void badConfigurationLeavesResultsUntouched() throws IOException {
    String before = snapshot(results);
    assertThrows(ConfigError.class, () -> new EvaluateJob(spark, load(Map.of("kansoku.inference.batch-size", "0"))).run());
    assertThrows(ConfigError.class, () -> load(Map.of("kansoku.bogus", "1")));
    assertEquals(before, snapshot(results));
  }

  private static String describe(StructType s) {
    StringBuilder b = new StringBuilder();
    for (StructField f : s.fields()) {
      b.append(f.name()).append(':').append(f.dataType().simpleString()).append(' ');
    }
    return b.toString();
  }

  private static String snapshot(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      StringBuilder b = new StringBuilder();
      for (Path p : s.sorted().toList()) {
        b.append(dir.relativize(p)).append(' ').append(Files.isRegularFile(p) ? Files.size(p) + "@" + Files.getLastModifiedTime(p) : "d").append('\n');
      }
      return b.toString();
    }
  }

  @Test
  void subjectsGetTheirOwnScoresAndTheTaskScoreIsTheMicroAverage() {
    List<Row> subsets = spark.read().parquet(results.resolve("subset_scores").toString())
        .where("task_id = 'mmlu'").orderBy("subset").collectAsList();
    // the first 12 MMLU questions of the bundled sample: 10 abstract_algebra, 2 anatomy
    assertEquals(List.of("abstract_algebra", "anatomy"), subsets.stream().map(r -> r.<String>getAs("subset")).toList());
    assertEquals(List.of(10L, 2L), subsets.stream().map(r -> r.<Long>getAs("n")).toList());
    double micro = subsets.stream().mapToDouble(r -> r.<Double>getAs("value") * r.<Long>getAs("n")).sum() / 12;
    double task = first.scores().stream().filter(s -> s.taskId().equals("mmlu")).findFirst().orElseThrow().value();
    assertEquals(micro, task, 1e-12);
  }

  @Test
  void bleuIsCorpusBleuOfTheStoredSegmentStatistics() {
    List<Row> rows = spark.read().parquet(results.resolve("example_scores").toString())
        .where("task_id = 'wmt20_ja_en' AND metric = 'bleu'").collectAsList();
    assertEquals(12, rows.size());
    Bleu.Stats sum = Bleu.Stats.zero();
    List<String> hyps = new java.util.ArrayList<>();
    List<String> refs = new java.util.ArrayList<>();
    for (Row r : rows) {
      sum = sum.plus(Bleu.Stats.decode(r.getAs("detail")));
      hyps.add(r.getAs("prediction"));
      refs.add(r.getAs("gold"));
    }
    double task = first.scores().stream().filter(s -> s.taskId().equals("wmt20_ja_en")).findFirst().orElseThrow().value();
    assertEquals(Bleu.score(sum) / 100, task, 1e-12);
    assertEquals(Bleu.corpus(hyps, refs, false) / 100, task, 1e-12);
  }
}
