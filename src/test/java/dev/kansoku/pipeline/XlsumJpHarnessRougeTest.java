package dev.kansoku.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kansoku.TestPaths;
import dev.kansoku.config.ConfigLoader;
import dev.kansoku.config.ResolvedRun;
import dev.kansoku.inference.TextTokenizer;
import dev.kansoku.metric.JpHarnessRouge;
import dev.kansoku.task.PythonRandom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * XL-Sum's ROUGE-2 as the JP harness computes it, through the pipeline: each example scored on the model's own
 * token pieces, the task score the bootstrap middle over the examples in the harness' shuffled document order.
 */
class XlsumJpHarnessRougeTest {
  @Test
  void theOptionScoresModelPiecesAndAggregatesAsTheHarness(@TempDir Path tmp) throws Exception {
    Path conf = TestPaths.repoCopy(tmp);
    Path fix = TestPaths.REPO.resolve("src/test/resources/fixtures/xlsum_ja");
    Path task = conf.resolve("tasks/xlsum_ja.conf");
    Files.writeString(task, Files.readString(task)
        .replace("data/benchmarks/xlsum_ja/test.jsonl", fix.resolve("test.jsonl").toString())
        .replace("data/benchmarks/xlsum_ja/train.jsonl", fix.resolve("train.jsonl").toString())
        .replace("metrics = [\"rouge2\"]", "metrics = [\"rouge2\", \"rouge2_jp_harness\"]")
        .replace("max-new-tokens = 128", "max-new-tokens = 8"));
    Files.writeString(conf.resolve("suites/xlsum.conf"), "suite { id = \"xlsum\", tasks = [\"xlsum_ja\"] }");
    ResolvedRun run = new ConfigLoader(conf).load(null, Map.of("kansoku.results-dir", tmp.resolve("results").toString(),
        "kansoku.suite", "xlsum", "kansoku.spark.master", "local[2]"));
    try (SparkSession spark = SparkSessions.create(run.settings())) {
      new EvaluateJob(spark, run).run();
      List<Row> examples = spark.read().parquet(tmp.resolve("results/example_scores").toString())
          .where("metric = 'rouge2_jp_harness'").orderBy("example_id").collectAsList();
      assertEquals(2, examples.size());
      try (TextTokenizer tok = TextTokenizer.load(TestPaths.TINY_MODEL)) {
        for (Row r : examples) {
          assertEquals(JpHarnessRouge.fmeasure(tok.pieces(r.getAs("gold")), tok.pieces(r.getAs("prediction"))),
              r.<Double>getAs("value"), 1e-15);
        }
      }
      // the harness evaluates the documents in random.Random(42).shuffle order: for two documents, [1, 0]
      List<Integer> order = new ArrayList<>(List.of(0, 1));
      new PythonRandom(42).shuffle(order);
      double[] f = order.stream().mapToDouble(i -> examples.get(i).<Double>getAs("value")).toArray();
      Row score = spark.read().parquet(tmp.resolve("results/task_scores").toString()).where("metric = 'rouge2_jp_harness'").first();
      assertEquals(JpHarnessRouge.bootstrapMid(f), score.<Double>getAs("value"), 1e-15);
    }
  }
}
