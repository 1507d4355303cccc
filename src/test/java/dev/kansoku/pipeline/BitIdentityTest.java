package dev.kansoku.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.inference.BatchShapes;
import dev.kansoku.inference.GenerationRequest;
import dev.kansoku.inference.DjlEngine;
import dev.kansoku.inference.LoglikelihoodRequest;
import dev.kansoku.inference.ModelPool;
import dev.kansoku.inference.RandomCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a response depends on its request and the model alone. The same planned requests — multiple choice
 * with shared contexts (HellaSwag, MMLU), partial scoring (XWINO), greedy generation (MGSM) and sampled generation
 * (JHumanEval, temperature 0.2) — on a sharp random checkpoint (weights of std 0.3: peaked logits, greedy
 * near-ties) are computed (a) each request alone by the engine, (b) by the default plan (local[2], 4 partitions),
 * (c) by a resume that finds every other committed response file gone, so the missing requests are grouped into
 * other batches, and (d) by one task slot and one partition; every response is compared with (b) bit for bit
 * (double equality, identical text). A killed driver's resume on a two-worker standalone cluster is compared the
 * same way in ClusterFaultTest.
 */
class BitIdentityTest {
  @TempDir
  static Path tmp;
  private static Path conf;
  private static Path sharpModel;

  @BeforeAll
  static void setUp() throws Exception {
    conf = TestPaths.repoCopy(tmp);
    sharpModel = tmp.resolve("sharp-model");
    Files.createDirectories(sharpModel);
    for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
      Files.copy(TestPaths.TINY_MODEL.resolve(f), sharpModel.resolve(f));
    }
    RandomCheckpoint.writeWeights(sharpModel, 18, 0.3);
    Files.writeString(conf.resolve("models/sharp.conf"), """
        model {
          id = "kansoku-sharp", revision = "std-0.3-seed-18", path = "%s", format = "hf-llama", dtype = "fp32"
          context-length = 2048, parameters = 6.3e6, training-tokens { total = null, ja = null, en = null }
          origin = "synthetic", description = "random weights of std 0.3: peaked logits"
        }
        """.formatted(sharpModel));
    Path code = conf.resolve("tasks/jhumaneval.conf");
    Files.writeString(code, Files.readString(code).replace("samples = 10", "samples = 4"));
    Files.writeString(conf.resolve("suites/bits.conf"), "suite { id = \"bits\", tasks = [\"hellaswag\", \"mmlu\", \"xwino_en\", "
        + "\"mgsm_ja\", \"jhumaneval\"], limits { hellaswag = 10, mmlu = 10, xwino_en = 16, mgsm_ja = 3, jhumaneval = 3 } }");
  }

  @AfterAll
  static void evict() {
    dev.kansoku.infer.ExecutorModels.POOL.evict();
  }

  private static ResolvedRun run(Path results, String master, int partitions) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("kansoku.results-dir", results.toString());
    o.put("kansoku.suite", "bits");
    o.put("kansoku.models", "[\"kansoku-sharp\"]");
    o.put("kansoku.spark.master", master);
    o.put("kansoku.spark.partitions", Integer.toString(partitions));
    o.put("kansoku.spark.settings", "{\"spark.ui.enabled\" = \"false\"}");
    o.put("kansoku.inference.batch-size", "4");
    o.put("kansoku.inference.commit-every", "40");
    o.put("kansoku.inference.torch-threads", "1");
    return new ConfigLoader(conf).load(null, o);
  }

  private static EvaluationSummary evaluate(ResolvedRun run) throws Exception {
    SparkSession spark = SparkSessions.create(run.settings());
    try {
      return new EvaluateJob(spark, run).run();
    } finally {
      spark.stop();
      dev.kansoku.infer.ExecutorModels.POOL.evict();
    }
  }

  @Test
  void aResponseIsTheSameBitsAloneInAnyBatchPartitionOrResume() throws Exception {
    Path planned = tmp.resolve("b-default");
    ResolvedRun b = run(planned, "local[2]", 4);
    EvaluationSummary first = evaluate(b);
    long total = first.planned();
    assertEquals(total, first.computed());
    assertEquals(0, first.failed());

    // (c) every other committed response file gone: the resume regroups what is missing
    Path resumed = tmp.resolve("c-resumed");
    TestPaths.copyTree(planned, resumed);
    List<Path> files;
    try (Stream<Path> s = Files.walk(resumed.resolve("responses"))) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
    for (int i = 0; i < files.size(); i += 2) {
      Files.delete(files.get(i));
    }
    EvaluationSummary resume = evaluate(run(resumed, "local[2]", 4));
    assertTrue(resume.computed() > 0 && resume.reused() > 0, "the resume computed part and reused part: " + resume);

    // (d) one task slot, one partition
    Path oneSlot = tmp.resolve("d-one-slot");
    evaluate(run(oneSlot, "local[1]", 1));

    SparkSession spark = SparkSessions.create(run(tmp.resolve("read"), "local[1]", 1).settings());
    try {
      Dataset<Row> reference = responses(spark, planned, "b");
      assertEquals(total, reference.count());
      long resumedDiffer = differing(reference, responses(spark, resumed, "x"));
      long oneSlotDiffer = differing(reference, responses(spark, oneSlot, "x"));
      long aloneDiffer = differing(reference, alone(spark, planned, b));
      System.out.printf("bit identity, %d responses (%d generations) compared with the default plan: (a) alone %d differ, "
          + "(c) resume (%d reused, %d recomputed) %d differ, (d) one slot and partition %d differ%n", total,
          reference.where("b_text IS NOT NULL").count(), aloneDiffer, resume.reused(), resume.computed(), resumedDiffer, oneSlotDiffer);
      assertEquals(0, resumedDiffer, "(c) resume with regrouped batches");
      assertEquals(0, oneSlotDiffer, "(d) one task slot, one partition");
      assertEquals(0, aloneDiffer, "(a) every request computed alone");
      // the checkpoint is sharp: greedy generations say something, and choices are far from uniform
      assertTrue(reference.where("b_text IS NOT NULL AND length(b_text) > 0").count() > 0, "generations are not all empty");
      assertTrue(reference.where("b_ll IS NOT NULL").selectExpr("max(b_ll) - min(b_ll)").first().getDouble(0) > 10,
          "log-likelihoods spread");
    } finally {
      spark.stop();
    }
  }

  private static Dataset<Row> responses(SparkSession spark, Path results, String prefix) {
    return spark.read().parquet(results.resolve("responses").toString())
        .selectExpr("request_id AS " + prefix + "_id", "loglikelihood AS " + prefix + "_ll", "is_greedy AS " + prefix + "_greedy",
            "generated_text AS " + prefix + "_text");
  }

  /** Requests answered by both tables whose bits differ; every request must be answered by both. */
  private static long differing(Dataset<Row> reference, Dataset<Row> other) {
    Dataset<Row> pairs = reference.join(other, reference.col("b_id").equalTo(other.col("x_id")));
    assertEquals(reference.count(), pairs.count(), "every request answered by both");
    Dataset<Row> diff = pairs.where("NOT (b_ll <=> x_ll) OR NOT (b_greedy <=> x_greedy) OR NOT (b_text <=> x_text)");
    diff.show(5, false);
    return diff.count();
  }

  /** (a) each planned request on its own, through the engine in this JVM, at the run's shapes. */
  private static Dataset<Row> alone(SparkSession spark, Path results, ResolvedRun run) throws Exception {
    BatchShapes shapes = BatchShapes.canonical(run.settings().batchSize(), run.settings().batchTokens());
    List<Row> rows = new ArrayList<>();
    List<Row> requests = spark.read().parquet(results.resolve("requests").toString()).collectAsList();
    try (DjlEngine engine = DjlEngine.load(sharpModel, run.settings().maxLength())) {
      for (Row r : requests) {
        String id = r.getAs("request_id");
        if ("loglikelihood".equals(r.getAs("request_kind"))) {
          var res = engine.loglikelihood(List.of(new LoglikelihoodRequest(r.getAs("context"), r.getAs("continuation"),
              r.<Boolean>getAs("add_special_tokens"))), shapes).get(0);
          rows.add(org.apache.spark.sql.RowFactory.create(id, res.logLikelihood(), res.greedy(), null));
        } else {
          var res = engine.generate(List.of(new GenerationRequest(r.getAs("context"), r.getList(r.fieldIndex("stop_sequences")),
              r.<Integer>getAs("max_new_tokens"), r.<Boolean>getAs("add_special_tokens"), r.<Double>getAs("temperature"),
              r.<Double>getAs("top_p"), r.<Integer>getAs("top_k"), r.<Long>getAs("seed"))), shapes).get(0);
          rows.add(org.apache.spark.sql.RowFactory.create(id, null, null, res.text()));
        }
      }
    }
    StructType schema = new StructType().add("x_id", DataTypes.StringType).add("x_ll", DataTypes.DoubleType)
        .add("x_greedy", DataTypes.BooleanType).add("x_text", DataTypes.StringType);
    return spark.createDataFrame(rows, schema);
  }
}
